package io.vmsaga.cli;

import static io.vmsaga.cli.Output.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code vmsaga vm …}: a tenant's VMs, each named by its id. */
@Command(
    name = "vm",
    description = "Create, inspect, operate, move and delete VMs.",
    mixinStandardHelpOptions = true)
final class VmCommands {
  @ParentCommand Vmsaga root;

  @Command(description = "Create a VM (the createVm saga).", mixinStandardHelpOptions = true)
  int create(
      @Option(names = "--name", required = true) String name,
      @Option(names = "--vcpus", defaultValue = "1") int vcpus,
      @Option(names = "--max-vcpus", description = "hot-plug headroom") Integer maxVcpus,
      @Option(names = "--memory", paramLabel = "MIB", defaultValue = "256") int memoryMib,
      @Option(names = "--max-memory", paramLabel = "MIB", description = "hot-plug headroom")
          Integer maxMemoryMib,
      @Option(names = "--disk", paramLabel = "GIB", defaultValue = "1") int diskGib,
      @Option(names = "--network", paramLabel = "ID", defaultValue = "default") String networkId,
      @Option(names = "--image", paramLabel = "ID|NAME") String image,
      @Option(names = "--node", paramLabel = "ID", description = "else the scheduler picks")
          String nodeId,
      @Option(names = "--shared", description = "disks in the shared pool (live migration)")
          boolean shared,
      @Option(names = "--hostname") String hostname,
      @Option(names = "--user-data", paramLabel = "FILE") Path userData,
      @Option(names = "--data-disk", paramLabel = "GIB", description = "repeatable")
          List<Integer> dataDisksGib,
      @Option(names = "--tenant", paramLabel = "ID", description = "administrators") String tenant,
      @Option(
              names = "--idempotency-key",
              paramLabel = "KEY",
              description = "the same key names the same VM (default: a new one)")
          String key,
      @Mixin Follow.Waiting waiting) {
    Api api = root.api();
    ObjectNode body =
        Api.body(
            "name", name,
            "vcpus", vcpus,
            "maxVcpus", maxVcpus,
            "memoryMib", memoryMib,
            "maxMemoryMib", maxMemoryMib,
            "diskGib", diskGib,
            "networkId", networkId,
            "imageId", image == null ? null : imageId(api, image),
            "nodeId", nodeId,
            "sharedStorage", shared,
            "hostname", hostname,
            "userData", userData == null ? null : read(userData),
            "dataDisks",
                dataDisksGib == null
                    ? null
                    : dataDisksGib.stream().map(gib -> Api.body("sizeGib", gib)).toList(),
            "tenantId", tenant,
            // always a key: a retried call finds its saga, and --wait reads the end from it
            "idempotencyKey", key == null ? "cli-" + UUID.randomUUID() : key);
    return new Follow(root, api)
        .finish(
            (submitted, saga) -> {
              ObjectNode replay = body.deepCopy();
              replay.put("awaitResult", true);
              return api.call("createVm", replay);
            })
        .run("createVm", body, waiting);
  }

  @Command(description = "List your VMs (every page).", mixinStandardHelpOptions = true)
  int list(
      @Option(names = "--state", paramLabel = "STATE") String state,
      @Option(names = "--node", paramLabel = "NODEID") String nodeId) {
    // listVms answers a page at a time: follow the cursor to the end
    var all = Api.JSON.createArrayNode();
    String cursor = null;
    do {
      var page =
          root.api()
              .call(
                  "listVms",
                  Api.body("limit", 500, "cursor", cursor, "state", state, "nodeId", nodeId));
      page.path("vms").forEach(all::add);
      cursor = page.path("nextCursor").asString(null);
    } while (cursor != null);
    root.output()
        .list(
            Api.JSON.createObjectNode().set("vms", all),
            "vms",
            col("ID", "id"),
            col("NAME", "name"),
            col("STATE", "state"),
            col("NODE", "nodeId"),
            col("VCPUS", "vcpus"),
            col("MEMORY_MIB", "memoryMib"),
            col("LAST", "lastOutcome"));
    return Exit.OK;
  }

  @Command(
      description = "Show a VM: disks, NICs, sagas, migration.",
      mixinStandardHelpOptions = true)
  int show(@Parameters(paramLabel = "VMID") String vmId) {
    root.output().record(root.api().call("getVm", Api.body("vmId", vmId)));
    return Exit.OK;
  }

  @Command(description = "Start (or resume) a VM.", mixinStandardHelpOptions = true)
  int start(@Parameters(paramLabel = "VMID") String vmId) {
    return direct("startVm", Api.body("vmId", vmId));
  }

  @Command(
      description = {
        "Power a VM off: the ACPI power button, so the guest shuts down cleanly;",
        "forced after half of --timeout if it has not."
      },
      mixinStandardHelpOptions = true)
  int stop(
      @Parameters(paramLabel = "VMID") String vmId,
      @Option(names = "--timeout", paramLabel = "SECONDS", description = "1-300, default 30")
          Integer timeoutSeconds) {
    return direct("stopVm", Api.body("vmId", vmId, "timeoutSeconds", timeoutSeconds));
  }

  @Command(
      description = "Freeze a running VM where it is (memory and devices kept).",
      mixinStandardHelpOptions = true)
  int pause(@Parameters(paramLabel = "VMID") String vmId) {
    return direct("pauseVm", Api.body("vmId", vmId));
  }

  @Command(description = "Let a paused VM run on.", mixinStandardHelpOptions = true)
  int resume(@Parameters(paramLabel = "VMID") String vmId) {
    return direct("resumeVm", Api.body("vmId", vmId));
  }

  @Command(
      description = {
        "What a running VM uses now: CPU, memory, disk I/O and NIC counters.",
        "With --watch, read again every --interval until Ctrl-C (one line per reading)."
      },
      mixinStandardHelpOptions = true)
  int stats(
      @Parameters(paramLabel = "VMID") String vmId,
      @Option(names = "--watch") boolean watch,
      @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2") int intervalSeconds)
      throws InterruptedException {
    Api api = root.api();
    if (!watch || root.output().json()) {
      root.output().record(api.call("getVmStats", Api.body("vmId", vmId)));
      return Exit.OK;
    }
    Progress progress = root.progress();
    while (true) {
      progress.show(statsLine(api.call("getVmStats", Api.body("vmId", vmId))));
      Thread.sleep(intervalSeconds * 1000L);
    }
  }

  /** One reading as a line: CPU, RSS, disk and NIC totals. */
  static String statsLine(JsonNode stats) {
    long readBytes = 0;
    long writeBytes = 0;
    for (JsonNode disk : stats.path("disks")) {
      readBytes += disk.path("readBytes").asLong();
      writeBytes += disk.path("writeBytes").asLong();
    }
    long rxBytes = 0;
    long txBytes = 0;
    for (JsonNode nic : stats.path("nics")) {
      rxBytes += nic.path("rxBytes").asLong();
      txBytes += nic.path("txBytes").asLong();
    }
    return String.format(
        "cpu %.1f%% · rss %d MiB · disk read %d MiB, written %d MiB · net rx %d KiB, tx %d KiB",
        stats.path("cpu").path("percent").asDouble(),
        stats.path("memory").path("rssBytes").asLong() >> 20,
        readBytes >> 20,
        writeBytes >> 20,
        rxBytes >> 10,
        txBytes >> 10);
  }

  @Command(description = "Reset a running VM.", mixinStandardHelpOptions = true)
  int reboot(@Parameters(paramLabel = "VMID") String vmId) {
    return direct("rebootVm", Api.body("vmId", vmId));
  }

  @Command(
      description = "Delete a VM and all it holds (the deleteVm saga).",
      mixinStandardHelpOptions = true)
  int delete(@Parameters(paramLabel = "VMID") String vmId, @Mixin Follow.Waiting waiting) {
    Api api = root.api();
    return new Follow(root, api)
        .finish(
            (submitted, saga) -> {
              // the saga removes the VM's record, and with it what lets a tenant see the saga
              if (saga.isEmpty() && api.find("getVm", Api.body("vmId", vmId)).isPresent()) {
                throw new Exit.Failure(Exit.FAILED, "the VM is still there; see vm show " + vmId);
              }
              return Follow.sameAnswerFinalStatus(
                  submitted, Optional.of(Api.body("status", "succeed")));
            })
        .run("deleteVm", Api.body("vmId", vmId), waiting);
  }

  @Command(
      description = {
        "Move a running VM with shared disks to another node while it runs.",
        "With --wait on a terminal, Ctrl-C asks whether to cancel the migration."
      },
      mixinStandardHelpOptions = true)
  int migrate(
      @Parameters(paramLabel = "VMID") String vmId,
      @Option(names = "--node", paramLabel = "ID", required = true) String targetNodeId,
      @Option(names = "--max-downtime", paramLabel = "MS") Integer maxDowntimeMs,
      @Option(names = "--max-bandwidth", paramLabel = "MIBPS") Integer maxBandwidthMibps,
      @Option(names = "--auto-converge") Boolean autoConverge,
      @Option(names = "--xbzrle") Boolean xbzrle,
      @Mixin Follow.Waiting waiting) {
    Api api = root.api();
    return new Follow(root, api)
        .detail(() -> migrationOf(api, vmId))
        .finish(Follow.showVm(api, vmId))
        .onCtrlC(() -> askToCancel(api, vmId))
        .run(
            "migrateVm",
            Api.body(
                "vmId", vmId,
                "targetNodeId", targetNodeId,
                "maxDowntimeMs", maxDowntimeMs,
                "maxBandwidthMibps", maxBandwidthMibps,
                "autoConverge", autoConverge,
                "xbzrle", xbzrle),
            waiting);
  }

  @Command(
      name = "cold-migrate",
      description = "Move a VM to another node: stop, copy its local disks, start there.",
      mixinStandardHelpOptions = true)
  int coldMigrate(
      @Parameters(paramLabel = "VMID") String vmId,
      @Option(names = "--node", paramLabel = "ID", required = true) String targetNodeId,
      @Mixin Follow.Waiting waiting) {
    Api api = root.api();
    return new Follow(root, api)
        .finish(Follow.showVm(api, vmId))
        .run("coldMigrateVm", Api.body("vmId", vmId, "targetNodeId", targetNodeId), waiting);
  }

  @Command(
      description = {
        "Grow a VM: vCPUs and memory hot-plugged within its headroom, a disk (the resizeDisk saga)."
      },
      mixinStandardHelpOptions = true)
  int resize(
      @Parameters(paramLabel = "VMID") String vmId,
      @Option(names = "--vcpus", description = "the new total") Integer vcpus,
      @Option(names = "--memory", paramLabel = "MIB", description = "the new total")
          Integer memoryMib,
      @Option(names = "--disk", paramLabel = "GIB", description = "the disk's new size")
          Integer diskGib,
      @Option(names = "--disk-id", paramLabel = "ID", description = "default the root disk")
          String diskId,
      @Mixin Follow.Waiting waiting) {
    if (vcpus == null && memoryMib == null && diskGib == null) {
      throw new Exit.Failure(Exit.USAGE, "give --vcpus, --memory or --disk");
    }
    if (vcpus != null) {
      direct("hotplugCpu", Api.body("vmId", vmId, "vcpus", vcpus));
    }
    if (memoryMib != null) {
      direct("hotplugMemory", Api.body("vmId", vmId, "sizeMib", memoryMib));
    }
    if (diskGib == null) {
      return Exit.OK;
    }
    Api api = root.api();
    return new Follow(root, api)
        .finish(Follow.showVm(api, vmId))
        .run("resizeDisk", Api.body("vmId", vmId, "diskId", diskId, "sizeGib", diskGib), waiting);
  }

  @Command(
      name = "attach-disk",
      description = "Attach a new blank disk (--size), or a disk kept detached (--disk-id).",
      mixinStandardHelpOptions = true)
  int attachDisk(
      @Parameters(paramLabel = "VMID") String vmId,
      @Option(names = "--size", paramLabel = "GIB") Integer sizeGib,
      @Option(names = "--pool", paramLabel = "local|shared") String pool,
      @Option(names = "--disk-id", paramLabel = "ID") String diskId,
      @Mixin Follow.Waiting waiting) {
    Api api = root.api();
    return new Follow(root, api)
        .finish(Follow.showVm(api, vmId))
        .run(
            "attachDisk",
            Api.body("vmId", vmId, "sizeGib", sizeGib, "pool", pool, "diskId", diskId),
            waiting);
  }

  @Command(
      name = "detach-disk",
      description = "Detach a data disk and delete it, or --keep it detached.",
      mixinStandardHelpOptions = true)
  int detachDisk(
      @Parameters(paramLabel = "VMID") String vmId,
      @Option(names = "--disk-id", paramLabel = "ID", required = true) String diskId,
      @Option(names = "--keep", description = "keep the disk, detached (still counted)")
          boolean keep,
      @Mixin Follow.Waiting waiting) {
    Api api = root.api();
    return new Follow(root, api)
        .finish(Follow.showVm(api, vmId))
        .run("detachDisk", Api.body("vmId", vmId, "diskId", diskId, "delete", !keep), waiting);
  }

  @Command(description = "Print the end of a VM's serial console.", mixinStandardHelpOptions = true)
  int console(
      @Parameters(paramLabel = "VMID") String vmId,
      @Option(names = "--tail", paramLabel = "BYTES", description = "default 16 KiB")
          Integer tailBytes) {
    JsonNode console =
        root.api().call("getConsoleLog", Api.body("vmId", vmId, "tailBytes", tailBytes));
    if (root.output().json()) {
      root.output().print(console);
    } else {
      root.output().text(console.path("text").asString(""));
    }
    return Exit.OK;
  }

  /** An operation without a saga: its answer at once. */
  private int direct(String function, ObjectNode body) {
    root.output().record(root.api().call(function, body));
    return Exit.OK;
  }

  /** The VM's running migration as a progress line, "" when getVm shows none (yet). */
  private static String migrationOf(Api api, String vmId) {
    try {
      return api.find("getVm", Api.body("vmId", vmId))
          .map(vm -> vm.path("migration"))
          .filter(JsonNode::isObject)
          .map(Watch::migration)
          .orElse("");
    } catch (Exit.Failure unavailable) {
      return "";
    }
  }

  /** Ctrl-C during a migration: y cancels it (and keeps following its rollback), d detaches. */
  private boolean askToCancel(Api api, String vmId) {
    var console = System.console();
    String answer =
        console == null
            ? ""
            : console.readLine("Cancel the migration? [y]es, [d]etach, anything else waits: ");
    answer = answer == null ? "" : answer.strip().toLowerCase(java.util.Locale.ROOT);
    if (answer.startsWith("y")) {
      api.call("cancelMigration", Api.body("vmId", vmId, "awaitResult", false));
      System.out.println("cancelling; the migration rolls back and the VM stays where it ran");
      return true;
    }
    return !answer.startsWith("d");
  }

  /** An image named by id or by name, as createVm needs its id. */
  private static String imageId(Api api, String idOrName) {
    for (JsonNode image : api.call("listImages", Api.body()).path("images")) {
      if (idOrName.equals(image.path("imageId").asString())
          || idOrName.equals(image.path("name").asString())) {
        return image.path("imageId").asString();
      }
    }
    return idOrName;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
