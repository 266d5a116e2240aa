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
      @Option(names = "--memory-overcommit", paramLabel = "RATIO") Double memoryOvercommit,
      @Option(
              names = "--auto-evacuate",
              negatable = true,
              description = "evacuate by itself once down (off unless set)")
          Boolean autoEvacuate) {
    root.output()
        .record(
            root.adminApi()
                .call(
                    "registerNode",
                    Api.body(
                        "nodeId", nodeId,
                        "agentUrl", agentUrl,
                        "cpuOvercommit", cpuOvercommit,
                        "memoryOvercommit", memoryOvercommit,
                        "autoEvacuate", autoEvacuate)));
    return Exit.OK;
  }

  @Command(
      description =
          "Move every VM off the node (live where its disks are shared, cold otherwise) and mark"
              + " it drained; --wait prints what moved where.",
      mixinStandardHelpOptions = true)
  int drain(
      @Parameters(paramLabel = "NODEID") String nodeId,
      @Option(names = "--concurrency", paramLabel = "N", description = "moves at once (1-8, 2)")
          Integer concurrency,
      @Option(
              names = "--to",
              paramLabel = "NODEID",
              description = "where the VMs may go (repeat; a replacement node); default any")
          java.util.List<String> targets,
      @Option(names = "--wait", description = "until the drain ends") boolean await) {
    var report =
        root.adminApi()
            .call(
                "drainNode",
                Api.body(
                    "nodeId", nodeId,
                    "concurrency", concurrency,
                    "targetNodeIds", targets,
                    "awaitResult", await));
    printDrain(report);
    return Exit.OK;
  }

  @Command(
      name = "drain-status",
      description = "The node's latest drain: what moved where, what did not and why.",
      mixinStandardHelpOptions = true)
  int drainStatus(@Parameters(paramLabel = "NODEID") String nodeId) {
    printDrain(root.adminApi().call("getNodeDrain", Api.body("nodeId", nodeId)));
    return Exit.OK;
  }

  private void printDrain(tools.jackson.databind.JsonNode report) {
    root.output()
        .list(
            report,
            "vms",
            col("VM", "vmId"),
            col("KIND", "kind"),
            col("STATUS", "status"),
            col("TO", "targetNodeId"),
            col("MOVE_MS", "moveMs"),
            col("CODE", "code"),
            col("MESSAGE", "message"));
    if (!root.output().json()) {
      root.output()
          .text(
              "drain "
                  + report.path("state").asString()
                  + ": node "
                  + report.path("nodeStatus").asString()
                  + ", "
                  + report.path("moved").asInt()
                  + " moved, "
                  + report.path("failed").asInt()
                  + " failed ("
                  + report.path("dtmUrl").asString()
                  + ")\n");
    }
  }

  @Command(
      description = "Put a draining, drained or evacuated node back in service.",
      mixinStandardHelpOptions = true)
  int undrain(@Parameters(paramLabel = "NODEID") String nodeId) {
    root.output().record(root.adminApi().call("undrainNode", Api.body("nodeId", nodeId)));
    return Exit.OK;
  }

  @Command(
      description = "Take an empty drained (or evacuated, down) node out of the fleet.",
      mixinStandardHelpOptions = true)
  int remove(@Parameters(paramLabel = "NODEID") String nodeId) {
    root.output().record(root.adminApi().call("removeNode", Api.body("nodeId", nodeId)));
    return Exit.OK;
  }

  @Command(
      description =
          "Disaster recovery for a down node: rebuild its shared-disk VMs elsewhere, mark its"
              + " local-disk VMs lost.",
      mixinStandardHelpOptions = true)
  int evacuate(
      @Parameters(paramLabel = "NODEID") String nodeId,
      @Option(names = "--wait", description = "until every rebuild ends") boolean await) {
    var report =
        root.adminApi().call("evacuateNode", Api.body("nodeId", nodeId, "awaitResult", await));
    root.output()
        .list(
            report,
            "rebuilt",
            col("VM", "vmId"),
            col("TO", "targetNodeId"),
            col("STATUS", "status"),
            col("SAGA", "gid"));
    if (!root.output().json()) {
      for (var lost : report.path("lost")) {
        root.output()
            .text(
                "lost "
                    + lost.path("vmId").asString()
                    + ": "
                    + lost.path("message").asString()
                    + "\n");
      }
    }
    return Exit.OK;
  }
}
