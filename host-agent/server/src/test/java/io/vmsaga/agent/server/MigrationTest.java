package io.vmsaga.agent.server;

import static io.vmsaga.agent.server.LifecycleTest.assertConflict;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.MemorySpec;
import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.agent.api.MigrationSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmDiskInfo;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.api.VmNicInfo;
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
    assertThat(dst.getDisk("shared", disk).isPresent())
        .as("the target sees the shared disk")
        .isTrue();

    // Taps are node-local: each agent has its own bridge and taps, the target's config names its
    // own.
    String srcBridge = TestNode.name("vbt");
    String dstBridge = TestNode.name("vbt");
    src.putBridge(srcBridge);
    dst.putBridge(dstBridge);
    String srcBootTap = TestNode.name("vtt");
    String srcNewTap = TestNode.name("vtt");
    String dstBootTap = TestNode.name("vtt");
    String dstNewTap = TestNode.name("vtt");
    for (String tap : List.of(srcBootTap, srcNewTap)) {
      src.putTap(tap, new TapSpec(srcBridge));
    }
    for (String tap : List.of(dstBootTap, dstNewTap)) {
      dst.putTap(tap, new TapSpec(dstBridge));
    }
    String bootMac = "52:54:00:" + LifecycleTest.mac3();
    String newMac = "52:54:00:" + LifecycleTest.mac3();
    src.putVm(
        vm,
        new VmConfig(
            "migrant",
            1,
            2,
            256L,
            512L,
            1,
            List.of(new VmDisk("shared", disk)),
            List.of(new VmNic(srcBootTap, bootMac)),
            null));
    src.action(vm, VmAction.of(Action.START, 30_000));
    // Hot-plugged devices must be replayed on the target, or it refuses the stream.
    src.plugCpu(vm, "c1");
    src.plugMemory(vm, "m1", MemorySpec.ofMib(64));
    // So must a hot-plugged disk, at the same PCI address: the target's config has it in its slot.
    String data = "d-" + TestNode.hex(3);
    Path dataFile = Path.of(src.putDisk("shared", data, DiskSpec.ofMib(32)).path());
    assertThat(src.attachDisk(vm, data, "shared"))
        .isEqualTo(new VmDiskInfo("shared", data, 1, "virtio-disk1", true));
    // So must a hot-plugged NIC, at the same PCI address: the target's config keeps its slot (and
    // id), only the tap is the target's own.
    VmNicInfo uplink =
        new VmNicInfo("uplink", srcNewTap, newMac, 1, "nic1", true, "00:12.0/00.0", "ok");
    assertThat(NicAttachTest.withoutPath(src.attachNic(vm, "uplink", srcNewTap, newMac)))
        .isEqualTo(NicAttachTest.withoutPath(uplink));
    assertThat(NicAttachTest.awaitPlaced(src, vm))
        .containsExactly(
            new VmNicInfo("nic0", srcBootTap, bootMac, 0, "nic0", true, "00:02.0", "ok"), uplink);
    VmConfig config = src.getVm(vm).orElseThrow().config();
    assertThat(config.disks())
        .isEqualTo(List.of(new VmDisk("shared", disk, 0), new VmDisk("shared", data, 1)));
    assertThat(config.nics())
        .isEqualTo(
            List.of(
                new VmNic("nic0", srcBootTap, bootMac, 0),
                new VmNic("uplink", srcNewTap, newMac, 1)));
    dst.putVm(
        vm,
        config.withNics(
            config.nics().stream()
                .map(n -> n.withTap(n.slot() == 0 ? dstBootTap : dstNewTap))
                .toList()));

    int port = TestNode.freePort();
    VmInfo incoming = dst.startIncoming(vm, new IncomingSpec("127.0.0.1", port));
    assertThat(incoming.state()).isEqualTo("inmigrate");
    assertThat(dst.startIncoming(vm, new IncomingSpec("127.0.0.1", port)).pid())
        .as("idempotent")
        .isEqualTo(incoming.pid());
    assertConflict(() -> dst.detachDisk(vm, data));
    assertConflict(() -> dst.detachNic(vm, "uplink"));
    assertConflict(() -> dst.attachNic(vm, "uplink", dstNewTap, newMac));

    // 4 MiB/s stretches the move of 320 MiB of (mostly zero) RAM over a few readings.
    MigrationParameters set =
        src.setMigrationParameters(vm, new MigrationParameters(false, true, 300L, 4L));
    assertThat(set.autoConverge()).isTrue();
    assertThat(set.maxBandwidthMib()).isEqualTo(4L);

    List<MigrationInfo> readings = new ArrayList<>();
    readings.add(src.migrate(vm, new MigrationSpec("tcp:127.0.0.1:" + port)));
    MigrationInfo last = readings.get(0);
    while (!last.finished()) {
      Thread.sleep(5);
      last = src.migration(vm);
      readings.add(last);
    }
    assertThat(last.status()).as("readings: " + readings).isEqualTo("completed");
    assertThat(
            readings.stream()
                .anyMatch(
                    r ->
                        "active".equals(r.status())
                            && r.transferredBytes() > 0
                            && r.remainingBytes() > 0))
        .as("progress while active: " + readings)
        .isTrue();
    assertThat(last.transferredBytes() > 0).isTrue();
    assertThat(last.totalTimeMs() != null && last.downtimeMs() != null).isTrue();
    assertThat(src.migrate(vm, new MigrationSpec("tcp:127.0.0.1:" + port)).status())
        .as("migrate again after completion is success, not a second migration")
        .isEqualTo("completed");
    assertThat(src.status(vm).status()).isEqualTo("postmigrate");
    TestNode.await(Duration.ofSeconds(10), () -> "running".equals(dst.status(vm).status()));
    assertThat(dst.cpus(vm).size()).isEqualTo(2);
    assertThat(dst.memoryDevices(vm).get(0).id()).isEqualTo("dimm-m1");
    assertThat(dst.vmDisks(vm))
        .isEqualTo(
            List.of(
                new VmDiskInfo("shared", disk, 0, "virtio-disk0", true),
                new VmDiskInfo("shared", data, 1, "virtio-disk1", true)));
    assertThat(DiskAttachTest.openFiles(incoming.pid())).contains(dataFile);
    assertConflict(() -> src.detachDisk(vm, data));
    assertThat(NicAttachTest.awaitPlaced(dst, vm))
        .as("the target runs with both NICs where the source had them, on its own taps")
        .isEqualTo(
            List.of(
                new VmNicInfo("nic0", dstBootTap, bootMac, 0, "nic0", true, "00:02.0", "ok"),
                new VmNicInfo("uplink", dstNewTap, newMac, 1, "nic1", true, "00:12.0/00.0", "ok")));
    assertThat(NicAttachTest.tapsHeld(incoming.pid()))
        .containsExactlyInAnyOrder(dstBootTap, dstNewTap);
    assertConflict(() -> src.detachNic(vm, "uplink"));

    // QEMU reports how the target arrived as "completed" too: that is no migration out of it, so it
    // can move on.
    long asked = System.nanoTime();
    assertThat(dst.migration(vm, Duration.ofSeconds(5)).status()).isEqualTo("none");
    assertThat(Duration.ofNanos(System.nanoTime() - asked))
        .as("nothing to wait for: answered at once")
        .isLessThan(Duration.ofSeconds(4));
    src.action(vm, VmAction.of(Action.STOP, 2_000));
    int back = TestNode.freePort();
    src.startIncoming(vm, new IncomingSpec("127.0.0.1", back));
    dst.migrate(vm, new MigrationSpec("tcp:127.0.0.1:" + back));
    // one read that the agent answers when QEMU says the migration ended
    MigrationInfo returning = dst.migration(vm, Duration.ofSeconds(5));
    assertThat(returning.status()).isEqualTo("completed");
    assertThat(returning.totalBytes() > 0)
        .as("a migration out of the former target: " + returning)
        .isTrue();
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
    assertThat(src.migration(vm).status()).isEqualTo("cancelled");
    assertThat(src.status(vm).status()).isEqualTo("running");
    TestNode.await(
        Duration.ofSeconds(10), () -> "defined".equals(dst.getVm(vm).orElseThrow().state()));
    assertThat(target.isOurQemu(targetPid)).as("the target QEMU exits after a cancel").isFalse();
    src.cancelMigration(vm);

    src.resetMigrationParameters(vm);
    MigrationParameters reset =
        src.setMigrationParameters(vm, new MigrationParameters(null, null, null, null));
    assertThat(reset).isEqualTo(new MigrationParameters(false, false, 300L, 128L));

    src.action(vm, VmAction.of(Action.STOP, 2_000));
    src.resetMigrationParameters(vm);
    src.deleteVm(vm);
    dst.deleteVm(vm);
    src.deleteDisk("shared", disk);
    src.deleteDisk("shared", data);
    for (String tap : List.of(srcBootTap, srcNewTap)) {
      src.deleteTap(tap);
    }
    for (String tap : List.of(dstBootTap, dstNewTap)) {
      dst.deleteTap(tap);
    }
    src.deleteBridge(srcBridge);
    dst.deleteBridge(dstBridge);
    assertThat(source.liveQemuPids().isEmpty()).isTrue();
    assertThat(target.liveQemuPids().isEmpty()).isTrue();
  }
}
