package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.*;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.agent.api.MigrationSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.functions.e2e.Stack.Tenant;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * Live migration of a VM of one size (1 vCPU, shared 1 GiB disk, one NIC, idle guest) from node-1
 * to node-2: through the migrateVm saga (request to answer: DTM and every step included), and bare
 * QEMU to QEMU through the agents alone — the calls the saga's steps make (target tap, config,
 * incoming QEMU, parameters, migrate, progress read as the agent sees it end, source QEMU, config
 * and tap removed) without DTM, database or functions. A fresh VM each run. Prints each run, the
 * medians, and the saga's overhead as the ratio of the median total times.
 *
 * <p>Against the running stack, with its env: {@code MigrationBench [runs] [memoryMiB]} (default 5,
 * 256).
 */
public final class MigrationBench {
  private static final String SOURCE = "node-1";
  private static final String TARGET = "node-2";

  record Run(long totalMs, long qemuTotalMs, long downtimeMs) {}

  private MigrationBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int memoryMib = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    var tenant = newTenant(2, 4, 4 * memoryMib);
    List<Run> saga = new ArrayList<>();
    List<Run> bare = new ArrayList<>();
    try {
      for (int i = 0; i < runs; i++) {
        saga.add(throughTheSaga(tenant, memoryMib));
        bare.add(bareQemuToQemu(memoryMib));
      }
    } finally {
      execute("DELETE FROM tenant WHERE id = ?", tenant.id());
    }
    System.out.printf(
        "live migration %s -> %s, 1 vCPU, %d MiB, idle guest, %d runs each%n",
        SOURCE, TARGET, memoryMib, runs);
    print("saga", saga);
    print("bare", bare);
    BenchValues.put("migrate.saga.p50", median(saga, Run::totalMs));
    BenchValues.put("migrate.bare.p50", median(bare, Run::totalMs));
    System.out.printf(
        "saga overhead: %.1fx the bare migration's total time (median %d ms vs %d ms); "
            + "downtime median %d ms vs %d ms%n",
        (double) median(saga, Run::totalMs) / Math.max(1, median(bare, Run::totalMs)),
        median(saga, Run::totalMs),
        median(bare, Run::totalMs),
        median(saga, Run::downtimeMs),
        median(bare, Run::downtimeMs));
  }

  private static Run throughTheSaga(Tenant tenant, int memoryMib) {
    var request = vm("bench-saga", "nodeId", SOURCE);
    request.put("memoryMib", memoryMib);
    request.put("sharedStorage", true);
    var created = call("createVm", tenant.token(), request);
    if (created.status() != 200) {
      throw new IllegalStateException("createVm: " + created.body());
    }
    String vmId = created.text("vmId");
    try {
      long start = System.nanoTime();
      var moved =
          call(
              "migrateVm",
              tenant.token(),
              Map.of("vmId", vmId, "targetNodeId", TARGET, "awaitResult", true));
      long totalMs = (System.nanoTime() - start) / 1_000_000;
      if (moved.status() != 200) {
        throw new IllegalStateException("migrateVm: " + moved.body());
      }
      JsonNode migration = moved.body().path("migration");
      return new Run(
          totalMs, migration.path("totalTimeMs").asLong(), migration.path("downtimeMs").asLong());
    } finally {
      call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));
    }
  }

  private static Run bareQemuToQemu(int memoryMib) throws Exception {
    String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    String disk = id + "-disk0";
    String sourceTap = "vtb" + id.substring(6) + "a";
    String targetTap = "vtb" + id.substring(6) + "b";
    AgentClient source = agent(SOURCE);
    AgentClient target = agent(TARGET);
    source.putDisk("shared", disk, DiskSpec.ofMib(1024));
    source.putTap(sourceTap, new TapSpec(BRIDGE));
    source.putVm(id, config(id, memoryMib, disk, sourceTap));
    source.action(id, VmAction.of(VmAction.Action.START));
    try {
      int port = freePort();
      long start = System.nanoTime();
      target.putTap(targetTap, new TapSpec(BRIDGE));
      target.putVm(id, config(id, memoryMib, disk, targetTap));
      target.startIncoming(id, new IncomingSpec("127.0.0.1", port));
      source.setMigrationParameters(id, new MigrationParameters(null, null, null, null));
      MigrationInfo info = source.migrate(id, new MigrationSpec("tcp:127.0.0.1:" + port));
      while (!info.finished()) {
        info = source.migration(id, Duration.ofSeconds(1));
      }
      if (!"completed".equals(info.status())) {
        throw new IllegalStateException("bare migration ended " + info.status());
      }
      source.action(id, VmAction.of(VmAction.Action.STOP, 4000));
      source.deleteVm(id);
      source.deleteTap(sourceTap);
      long totalMs = (System.nanoTime() - start) / 1_000_000;
      return new Run(totalMs, info.totalTimeMs(), info.downtimeMs());
    } finally {
      for (AgentClient node : List.of(source, target)) {
        if (node.getVm(id).isPresent()) {
          node.action(id, VmAction.of(VmAction.Action.STOP, 4000));
          node.deleteVm(id);
        }
      }
      source.deleteTap(sourceTap);
      target.deleteTap(targetTap);
      source.deleteDisk("shared", disk);
    }
  }

  private static VmConfig config(String name, int memoryMib, String disk, String tap) {
    return new VmConfig(
        name,
        1,
        1,
        (long) memoryMib,
        (long) memoryMib,
        0,
        List.of(new VmDisk("shared", disk)),
        List.of(new VmNic(tap, "52:54:00:be:e0:01")),
        null);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void print(String how, List<Run> runs) {
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      System.out.printf(
          "%s run %d: total %d ms (QEMU's migration %d ms), downtime %d ms%n",
          how, i + 1, r.totalMs(), r.qemuTotalMs(), r.downtimeMs());
    }
    System.out.printf(
        "%s median: total %d ms, QEMU's migration %d ms, downtime %d ms%n",
        how,
        median(runs, Run::totalMs),
        median(runs, Run::qemuTotalMs),
        median(runs, Run::downtimeMs));
  }

  private static long median(List<Run> runs, java.util.function.ToLongFunction<Run> field) {
    long[] values = runs.stream().mapToLong(field).sorted().toArray();
    return values[values.length / 2];
  }
}
