package io.vmsaga.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

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
    assertEquals(64, created.sizeMib());
    assertEquals(
        created.path(),
        agent.putDisk("local", disk, DiskSpec.ofMib(64)).path(),
        "same PUT again is success");
    assertConflict(() -> agent.putDisk("local", disk, DiskSpec.ofMib(65)));

    agent.putBridge(bridge);
    assertEquals(bridge, agent.putTap(tap, new TapSpec(bridge)).bridge());
    assertEquals(
        bridge, agent.putTap(tap, new TapSpec(bridge)).bridge(), "same PUT again is success");
    assertTrue(Links.exists(tap));

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
    assertEquals("defined", agent.putVm(vm, config).state());
    assertEquals("defined", agent.putVm(vm, config).state(), "same config again is success");

    VmInfo started = agent.action(vm, VmAction.of(Action.START, 30_000));
    assertEquals("running", started.state());
    assertTrue(started.qmpConnected());
    long pid = started.pid();
    assertEquals(
        pid, agent.action(vm, VmAction.of(Action.START)).pid(), "start of a running VM is success");
    assertEquals("running", agent.status(vm).status());
    assertTrue(agent.status(vm).running());

    agent.action(vm, VmAction.of(Action.PAUSE));
    assertEquals("paused", agent.status(vm).status());
    agent.action(vm, VmAction.of(Action.RESUME));
    assertEquals("running", agent.status(vm).status());
    List<String> events = agent.events(vm, 0).stream().map(VmEvent::event).toList();
    assertTrue(events.containsAll(List.of("STOP", "RESUME")), "events: " + events);
    long lastSeq = agent.events(vm, 0).get(events.size() - 1).seq();
    assertTrue(agent.events(vm, lastSeq).isEmpty());

    HotplugCpu cpu = agent.plugCpu(vm, "c1");
    assertEquals(cpu, agent.plugCpu(vm, "c1"), "plugging the same device id again is success");
    List<CpuInfo> cpus = agent.cpus(vm);
    assertEquals(2, cpus.size());
    assertTrue(cpus.stream().anyMatch(c -> c.qomPath().endsWith("/cpu-c1")));
    assertConflict(() -> agent.plugCpu(vm, "c2")); // max_vcpus = 2

    agent.plugMemory(vm, "m1", MemorySpec.ofMib(128));
    agent.plugMemory(vm, "m1", MemorySpec.ofMib(128));
    List<MemoryDevice> dimms = agent.memoryDevices(vm);
    assertEquals(1, dimms.size());
    assertEquals("dimm-m1", dimms.get(0).id());
    assertEquals(128L << 20, dimms.get(0).sizeBytes());
    VmConfig persisted = agent.getVm(vm).orElseThrow().config();
    assertEquals(1, persisted.hotplugged().cpus().size());
    assertEquals(1, persisted.hotplugged().memory().size());

    assertTrue(agent.getDisk("local", disk).orElseThrow().inUse());
    assertEquals(
        96, agent.resizeDisk("local", disk, DiskSpec.ofMib(96)).sizeMib(), "online block_resize");
    assertConflict(() -> agent.deleteDisk("local", disk));
    assertConflict(() -> agent.deleteTap(tap));
    assertConflict(() -> agent.deleteVm(vm));
    assertConflict(() -> agent.putVm(vm, config));

    NodeInfo inventory = agent.node();
    assertTrue(
        inventory.vms().stream().anyMatch(v -> v.vmId().equals(vm) && "running".equals(v.state())));
    assertTrue(
        inventory.disks().stream().anyMatch(d -> d.diskId().equals(disk) && d.sizeMib() == 96));
    assertTrue(
        inventory.taps().stream().anyMatch(t -> t.name().equals(tap) && bridge.equals(t.bridge())));
    assertTrue(inventory.bridges().stream().anyMatch(b -> b.name().equals(bridge)));

    VmInfo stopped = agent.action(vm, VmAction.of(Action.STOP, 2_000));
    assertEquals("defined", stopped.state());
    assertFalse(node.isOurQemu(pid));
    agent.action(vm, VmAction.of(Action.STOP, 2_000));

    // The persisted hot-plugged devices come back on the next start, as on a migration target.
    VmInfo restarted = agent.action(vm, VmAction.of(Action.START, 30_000));
    assertEquals(2, agent.cpus(vm).size());
    assertEquals("dimm-m1", agent.memoryDevices(vm).get(0).id());
    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    assertFalse(node.isOurQemu(restarted.pid()));

    agent.deleteVm(vm);
    agent.deleteVm(vm);
    assertTrue(agent.getVm(vm).isEmpty());
    agent.deleteTap(tap);
    agent.deleteTap(tap);
    agent.deleteBridge(bridge);
    agent.deleteDisk("local", disk);
    agent.deleteDisk("local", disk);

    assertTrue(agent.getDisk("local", disk).isEmpty());
    assertTrue(agent.getTap(tap).isEmpty());
    assertFalse(Links.exists(tap));
    assertFalse(Links.exists(bridge));
    assertTrue(node.liveQemuPids().isEmpty());
    try (var files = Files.list(node.localPool)) {
      assertEquals(0, files.count());
    }
    assertFalse(Files.exists(node.stateDir.resolve("vms").resolve(vm)));
  }

  static String mac3() {
    String h = TestNode.hex(3);
    return h.substring(0, 2) + ":" + h.substring(2, 4) + ":" + h.substring(4, 6);
  }

  static void assertConflict(Executable call) {
    AgentException e = org.junit.jupiter.api.Assertions.assertThrows(AgentException.class, call);
    assertEquals(409, e.status(), e.toString());
    assertEquals("conflict", e.code());
  }
}
