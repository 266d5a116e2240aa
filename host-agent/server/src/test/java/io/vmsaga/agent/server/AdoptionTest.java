package io.vmsaga.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.server.os.ProcFs;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VMs outlive their agent: SIGKILL the agent JVM, start a new one on the same state dir, and keep
 * control.
 */
class AdoptionTest {
  private static TestNode node;

  @BeforeAll
  static void startAgent() throws Exception {
    node = TestNode.subprocess("node-adopt");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    node.close();
  }

  @Test
  void vmSurvivesAgentSigkillAndIsAdopted() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String disk = "d-" + TestNode.hex(3);
    node.client().putDisk("local", disk, DiskSpec.ofMib(32));
    node.client()
        .putVm(
            vm,
            new VmConfig(
                "adopt", 1, 1, 128L, null, null, List.of(new VmDisk("local", disk)), null, null));
    VmInfo started = node.client().action(vm, VmAction.of(Action.START, 30_000));
    long qemu = started.pid();
    assertEquals("running", started.state());

    node.killAgent();
    assertTrue(ProcFs.alive(qemu), "QEMU must survive the agent's SIGKILL");
    assertTrue(node.isOurQemu(qemu));

    node.startSubprocess();
    VmInfo adopted = node.client().getVm(vm).orElseThrow();
    assertEquals(qemu, adopted.pid());
    assertEquals("running", adopted.state());
    assertTrue(adopted.qmpConnected());
    assertTrue(node.client().getDisk("local", disk).orElseThrow().inUse());

    node.client().action(vm, VmAction.of(Action.PAUSE));
    assertEquals("paused", node.client().status(vm).status());
    node.client().action(vm, VmAction.of(Action.RESUME));
    assertEquals("running", node.client().status(vm).status());
    assertTrue(node.client().events(vm, 0).stream().anyMatch(e -> e.event().equals("RESUME")));

    assertEquals("defined", node.client().action(vm, VmAction.of(Action.STOP, 2_000)).state());
    assertFalse(node.isOurQemu(qemu));
    node.client().deleteVm(vm);
    node.client().deleteDisk("local", disk);
    assertTrue(node.liveQemuPids().isEmpty());
  }
}
