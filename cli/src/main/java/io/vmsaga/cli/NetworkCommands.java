package io.vmsaga.cli;

import static io.vmsaga.cli.Output.col;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code vmsaga network …}: networks; making and removing them is for administrators. */
@Command(
    name = "network",
    description = "Networks (create/delete: administrators).",
    mixinStandardHelpOptions = true)
final class NetworkCommands {
  @ParentCommand Vmsaga root;

  @Command(
      description = "Create a network on every node (the createNetwork saga).",
      mixinStandardHelpOptions = true)
  int create(
      @Option(names = "--name", required = true) String name,
      @Option(names = "--id", paramLabel = "NETWORKID") String networkId,
      @Option(names = "--cidr", description = "/16 to /29") String cidr,
      @Option(names = "--tenant", paramLabel = "TENANTID", description = "else shared")
          String tenantId,
      @Option(names = "--bridge") String bridge,
      @Mixin Follow.Waiting waiting) {
    return new Follow(root, root.adminApi())
        .run(
            "createNetwork",
            Api.body(
                "name",
                name,
                "networkId",
                networkId,
                "cidr",
                cidr,
                "tenantId",
                tenantId,
                "bridge",
                bridge),
            waiting);
  }

  @Command(
      description = "Delete a network no NIC is on (the deleteNetwork saga).",
      mixinStandardHelpOptions = true)
  int delete(
      @Parameters(paramLabel = "NETWORKID") String networkId, @Mixin Follow.Waiting waiting) {
    return new Follow(root, root.adminApi())
        .run("deleteNetwork", Api.body("networkId", networkId), waiting);
  }

  @Command(
      description = "The networks you may use (administrators: all).",
      mixinStandardHelpOptions = true)
  int list() {
    root.output()
        .list(
            root.api().call("listNetworks", Api.body()),
            "networks",
            col("ID", "id"),
            col("NAME", "name"),
            col("CIDR", "cidr"),
            col("STATE", "state"),
            col("TENANT", "tenantId"),
            col("VMS", "vmCount"));
    return Exit.OK;
  }
}
