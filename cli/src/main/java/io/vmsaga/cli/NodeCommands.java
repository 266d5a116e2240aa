package io.vmsaga.cli;

import static io.vmsaga.cli.Output.col;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code vmsaga node …}: the KVM nodes (administrators). */
@Command(
    name = "node",
    description = "KVM nodes (administrators).",
    mixinStandardHelpOptions = true)
final class NodeCommands {
  @ParentCommand Vmsaga root;

  @Command(
      description = "Capacity, commitments and each agent's breaker.",
      mixinStandardHelpOptions = true)
  int list() {
    root.output()
        .list(
            root.adminApi().call("listNodes", Api.body()),
            "nodes",
            col("ID", "node.id"),
            col("STATUS", "node.status"),
            col("HEALTH", "node.health"),
            col("CPUS", "node.cpus"),
            col("MEMORY_MIB", "node.memoryMib"),
            col("USED_VCPUS", "node.committedVcpus"),
            col("USED_MEMORY_MIB", "node.committedMemoryMib"),
            col("BREAKER", "breaker"),
            col("AGENT", "agentUrl"));
    return Exit.OK;
  }

  @Command(
      description = "Register a node from its agent's inventory (again: update it).",
      mixinStandardHelpOptions = true)
  int register(
      @Parameters(paramLabel = "NODEID") String nodeId,
      @Option(names = "--agent-url", required = true, paramLabel = "URL") String agentUrl,
      @Option(names = "--cpu-overcommit", paramLabel = "RATIO") Double cpuOvercommit,
      @Option(names = "--memory-overcommit", paramLabel = "RATIO") Double memoryOvercommit) {
    root.output()
        .record(
            root.adminApi()
                .call(
                    "registerNode",
                    Api.body(
                        "nodeId", nodeId,
                        "agentUrl", agentUrl,
                        "cpuOvercommit", cpuOvercommit,
                        "memoryOvercommit", memoryOvercommit)));
    return Exit.OK;
  }
}
