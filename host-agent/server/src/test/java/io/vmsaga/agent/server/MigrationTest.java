package io.vmsaga.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.MemorySpec;
import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.agent.api.MigrationSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.server.os.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Live migration between two agents on this machine over loopback, sharing one pool directory. */
class MigrationTest {
  private static Path shared;
  private static TestNode source;
  private static TestNode target;

  @BeforeAll
  static void startAgents() throws Exception {
    shared = Files.createTempDirectory(Path.of("/tmp"), "vs-shared");
    source = TestNode.inProcess("node-src", shared, 200);
    target = TestNode.inProcess("node-dst", shared, 200);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      source.close();
    } finally {
      target.close();
      AtomicFiles.deleteTree(shared);
    }
  }

  @Test
  void migratesWithProgressAndCancels() throws Exception {
    AgentClient src = source.client();
    AgentClient dst = target.client();
    String vm = "vm-" + TestNode.hex(3);
    String disk = "d-" + TestNode.hex(3);
    src.putDisk("shared", disk, DiskSpec.ofMib(64));
    assertTrue(dst.getDisk("shared", disk).isPresent(), "the target sees the shared disk");

    src.putVm(
        vm,
        new VmConfig(
            "migrant", 1, 2, 256L, 512L, 1, List.of(new VmDisk("shared", disk)), null, null));
    src.action(vm, VmAction.of(Action.START, 30_000));
    // Hot-plugged devices must be replayed on the target, or it refuses the stream.
    src.plugCpu(vm, "c1");
    src.plugMemory(vm, "m1", MemorySpec.ofMib(64));
    VmConfig config = src.getVm(vm).orElseThrow().config();
    dst.putVm(vm, config);

    int port = TestNode.freePort();
    VmInfo incoming = dst.startIncoming(vm, new IncomingSpec("127.0.0.1", port));
    assertEquals("inmigrate", incoming.state());
    assertEquals(
        incoming.pid(),
        dst.startIncoming(vm, new IncomingSpec("127.0.0.1", port)).pid(),
        "idempotent");

    // 4 MiB/s stretches the move of 320 MiB of (mostly zero) RAM over a few readings.
    MigrationParameters set =
        src.setMigrationParameters(vm, new MigrationParameters(false, true, 300L, 4L));
    assertEquals(true, set.autoConverge());
    assertEquals(4L, set.maxBandwidthMib());

    List<MigrationInfo> readings = new ArrayList<>();
    readings.add(src.migrate(vm, new MigrationSpec("tcp:127.0.0.1:" + port)));
    MigrationInfo last = readings.get(0);
    while (!last.finished()) {
      Thread.sleep(5);
      last = src.migration(vm);
      readings.add(last);
    }
    assertEquals("completed", last.status(), "readings: " + readings);
    assertTrue(
        readings.stream()
            .anyMatch(
                r ->
                    "active".equals(r.status())
                        && r.transferredBytes() > 0
                        && r.remainingBytes() > 0),
        "progress while active: " + readings);
    assertTrue(last.transferredBytes() > 0);
    assertTrue(last.totalTimeMs() != null && last.downtimeMs() != null);
    assertEquals(
        "completed",
        src.migrate(vm, new MigrationSpec("tcp:127.0.0.1:" + port)).status(),
        "migrate again after completion is success, not a second migration");
    assertEquals("postmigrate", src.status(vm).status());
    TestNode.await(Duration.ofSeconds(10), () -> "running".equals(dst.status(vm).status()));
    assertEquals(2, dst.cpus(vm).size());
    assertEquals("dimm-m1", dst.memoryDevices(vm).get(0).id());

    // QEMU reports how the target arrived as "completed" too: that is no migration out of it, so it
    // can move on.
    assertEquals("none", dst.migration(vm).status());
    src.action(vm, VmAction.of(Action.STOP, 2_000));
    int back = TestNode.freePort();
    src.startIncoming(vm, new IncomingSpec("127.0.0.1", back));
    MigrationInfo returning = dst.migrate(vm, new MigrationSpec("tcp:127.0.0.1:" + back));
    while (!returning.finished()) {
      Thread.sleep(5);
      returning = dst.migration(vm);
    }
    assertEquals("completed", returning.status());
    assertTrue(returning.totalBytes() > 0, "a migration out of the former target: " + returning);
    TestNode.await(Duration.ofSeconds(10), () -> "running".equals(src.status(vm).status()));

    src.action(vm, VmAction.of(Action.STOP, 2_000));
    dst.action(vm, VmAction.of(Action.STOP, 2_000));

    // Cancel: a bandwidth of 1 MiB/s keeps the first pass over 320 MiB of RAM busy long enough.
    src.action(vm, VmAction.of(Action.START, 30_000));
    int port2 = TestNode.freePort();
    long targetPid = dst.startIncoming(vm, new IncomingSpec("127.0.0.1", port2)).pid();
    src.setMigrationParameters(vm, new MigrationParameters(null, false, null, 1L));
    src.migrate(vm, new MigrationSpec("tcp:127.0.0.1:" + port2));
    src.cancelMigration(vm);
    TestNode.await(Duration.ofSeconds(10), () -> src.migration(vm).finished());
    assertEquals("cancelled", src.migration(vm).status());
    assertEquals("running", src.status(vm).status());
    TestNode.await(
        Duration.ofSeconds(10), () -> "defined".equals(dst.getVm(vm).orElseThrow().state()));
    assertFalse(target.isOurQemu(targetPid), "the target QEMU exits after a cancel");
    src.cancelMigration(vm);

    src.resetMigrationParameters(vm);
    MigrationParameters reset =
        src.setMigrationParameters(vm, new MigrationParameters(null, null, null, null));
    assertEquals(new MigrationParameters(false, false, 300L, 128L), reset);

    src.action(vm, VmAction.of(Action.STOP, 2_000));
    src.resetMigrationParameters(vm);
    src.deleteVm(vm);
    dst.deleteVm(vm);
    src.deleteDisk("shared", disk);
    assertTrue(source.liveQemuPids().isEmpty());
    assertTrue(target.liveQemuPids().isEmpty());
  }
}
