package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.CpuInfo;
import io.vmsaga.agent.api.DiskInfo;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.HotplugCpu;
import io.vmsaga.agent.api.MemoryDevice;
import io.vmsaga.agent.api.MemorySpec;
import io.vmsaga.agent.api.NodeInfo;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmEvent;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.net.Links;
import java.nio.file.Files;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One VM from disk to deletion against real QEMU (TCG), real qemu-img and real ip. */
class LifecycleTest {
  private static TestNode node;

  @BeforeAll
  static void startAgent() throws Exception {
    node = TestNode.inProcess("node-life");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    node.close();
  }

  @Test
  void createStartHotplugStopDelete() throws Exception {
    AgentClient agent = node.client().withGid("gid-lifecycle");
    String disk = "d-" + TestNode.hex(3);
    String bridge = TestNode.name("vbt");
    String tap = TestNode.name("vtt");
    String vm = "vm-" + TestNode.hex(3);

    DiskInfo created = agent.putDisk("local", disk, DiskSpec.ofMib(64));
    assertThat(created.sizeMib()).isEqualTo(64);
    assertThat(agent.putDisk("local", disk, DiskSpec.ofMib(64)).path())
        .as("same PUT again is success")
        .isEqualTo(created.path());
    assertConflict(() -> agent.putDisk("local", disk, DiskSpec.ofMib(65)));

    agent.putBridge(bridge);
    assertThat(agent.putTap(tap, new TapSpec(bridge)).bridge()).isEqualTo(bridge);
    assertThat(agent.putTap(tap, new TapSpec(bridge)).bridge())
        .as("same PUT again is success")
        .isEqualTo(bridge);
    assertThat(Links.exists(tap)).isTrue();

    VmConfig config =
        new VmConfig(
            "lifecycle",
            1,
            2,
            128L,
            512L,
            2,
            List.of(new VmDisk("local", disk)),
            List.of(new VmNic(tap, "52:54:00:" + mac3())),
            null);
    assertThat(agent.putVm(vm, config).state()).isEqualTo("defined");
    assertThat(agent.putVm(vm, config).state())
        .as("same config again is success")
        .isEqualTo("defined");

    VmInfo started = agent.action(vm, VmAction.of(Action.START, 30_000));
    assertThat(started.state()).isEqualTo("running");
    assertThat(started.qmpConnected()).isTrue();
    long pid = started.pid();
    assertThat(agent.action(vm, VmAction.of(Action.START)).pid())
        .as("start of a running VM is success")
        .isEqualTo(pid);
    assertThat(agent.status(vm).status()).isEqualTo("running");
    assertThat(agent.status(vm).running()).isTrue();

    agent.action(vm, VmAction.of(Action.PAUSE));
    assertThat(agent.status(vm).status()).isEqualTo("paused");
    agent.action(vm, VmAction.of(Action.RESUME));
    assertThat(agent.status(vm).status()).isEqualTo("running");
    List<String> events = agent.events(vm, 0).stream().map(VmEvent::event).toList();
    assertThat(events.containsAll(List.of("STOP", "RESUME"))).as("events: " + events).isTrue();
    long lastSeq = agent.events(vm, 0).get(events.size() - 1).seq();
    assertThat(agent.events(vm, lastSeq).isEmpty()).isTrue();

    HotplugCpu cpu = agent.plugCpu(vm, "c1");
    assertThat(agent.plugCpu(vm, "c1"))
        .as("plugging the same device id again is success")
        .isEqualTo(cpu);
    List<CpuInfo> cpus = agent.cpus(vm);
    assertThat(cpus.size()).isEqualTo(2);
    assertThat(cpus.stream().anyMatch(c -> c.qomPath().endsWith("/cpu-c1"))).isTrue();
    assertConflict(() -> agent.plugCpu(vm, "c2")); // max_vcpus = 2

    agent.plugMemory(vm, "m1", MemorySpec.ofMib(128));
    agent.plugMemory(vm, "m1", MemorySpec.ofMib(128));
    List<MemoryDevice> dimms = agent.memoryDevices(vm);
    assertThat(dimms.size()).isEqualTo(1);
    assertThat(dimms.get(0).id()).isEqualTo("dimm-m1");
    assertThat(dimms.get(0).sizeBytes()).isEqualTo(128L << 20);
    VmConfig persisted = agent.getVm(vm).orElseThrow().config();
    assertThat(persisted.hotplugged().cpus().size()).isEqualTo(1);
    assertThat(persisted.hotplugged().memory().size()).isEqualTo(1);

    assertThat(agent.getDisk("local", disk).orElseThrow().inUse()).isTrue();
    assertThat(agent.resizeDisk("local", disk, DiskSpec.ofMib(96)).sizeMib())
        .as("online block_resize")
        .isEqualTo(96);
    assertConflict(() -> agent.deleteDisk("local", disk));
    assertConflict(() -> agent.deleteTap(tap));
    assertConflict(() -> agent.deleteVm(vm));
    assertConflict(() -> agent.putVm(vm, config));

    NodeInfo inventory = agent.node();
    assertThat(
            inventory.vms().stream()
                .anyMatch(v -> v.vmId().equals(vm) && "running".equals(v.state())))
        .isTrue();
    assertThat(
            inventory.disks().stream().anyMatch(d -> d.diskId().equals(disk) && d.sizeMib() == 96))
        .isTrue();
    assertThat(
            inventory.taps().stream()
                .anyMatch(t -> t.name().equals(tap) && bridge.equals(t.bridge())))
        .isTrue();
    assertThat(inventory.bridges().stream().anyMatch(b -> b.name().equals(bridge))).isTrue();

    VmInfo stopped = agent.action(vm, VmAction.of(Action.STOP, 2_000));
    assertThat(stopped.state()).isEqualTo("defined");
    assertThat(node.isOurQemu(pid)).isFalse();
    agent.action(vm, VmAction.of(Action.STOP, 2_000));

    // The persisted hot-plugged devices come back on the next start, as on a migration target.
    VmInfo restarted = agent.action(vm, VmAction.of(Action.START, 30_000));
    assertThat(agent.cpus(vm).size()).isEqualTo(2);
    assertThat(agent.memoryDevices(vm).get(0).id()).isEqualTo("dimm-m1");
    VmInfo destroyed = agent.action(vm, VmAction.of(Action.DESTROY));
    assertThat(destroyed.state()).as("destroyed: its definition stays").isEqualTo("defined");
    assertThat(node.isOurQemu(restarted.pid())).isFalse();
    agent.action(vm, VmAction.of(Action.DESTROY));

    assertConflict(() -> agent.deleteTap(tap)); // the stopped VM's config still names it
    agent.deleteVm(vm);
    agent.deleteVm(vm);
    assertThat(agent.getVm(vm).isEmpty()).isTrue();
    agent.deleteTap(tap);
    agent.deleteTap(tap);
    agent.deleteBridge(bridge);
    agent.deleteDisk("local", disk);
    agent.deleteDisk("local", disk);

    assertThat(agent.getDisk("local", disk).isEmpty()).isTrue();
    assertThat(agent.getTap(tap).isEmpty()).isTrue();
    assertThat(Links.exists(tap)).isFalse();
    assertThat(Links.exists(bridge)).isFalse();
    assertThat(node.liveQemuPids().isEmpty()).isTrue();
    try (var files = Files.list(node.localPool)) {
      assertThat(files.count()).isEqualTo(0);
    }
    assertThat(Files.exists(node.stateDir.resolve("vms").resolve(vm))).isFalse();
  }

  static String mac3() {
    String h = TestNode.hex(3);
    return h.substring(0, 2) + ":" + h.substring(2, 4) + ":" + h.substring(4, 6);
  }

  static void assertConflict(ThrowingCallable call) {
    AgentException e = assertThatExceptionOfType(AgentException.class).isThrownBy(call).actual();
    assertThat(e.status()).as(e.toString()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("conflict");
  }
}
