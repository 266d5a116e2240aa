package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

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
    assertThat(started.state()).isEqualTo("running");

    node.killAgent();
    assertThat(ProcFs.alive(qemu)).as("QEMU must survive the agent's SIGKILL").isTrue();
    assertThat(node.isOurQemu(qemu)).isTrue();

    node.startSubprocess();
    VmInfo adopted = node.client().getVm(vm).orElseThrow();
    assertThat(adopted.pid()).isEqualTo(qemu);
    assertThat(adopted.state()).isEqualTo("running");
    assertThat(adopted.qmpConnected()).isTrue();
    assertThat(node.client().getDisk("local", disk).orElseThrow().inUse()).isTrue();

    node.client().action(vm, VmAction.of(Action.PAUSE));
    assertThat(node.client().status(vm).status()).isEqualTo("paused");
    node.client().action(vm, VmAction.of(Action.RESUME));
    assertThat(node.client().status(vm).status()).isEqualTo("running");
    assertThat(node.client().events(vm, 0).stream().anyMatch(e -> e.event().equals("RESUME")))
        .isTrue();

    assertThat(node.client().action(vm, VmAction.of(Action.STOP, 2_000)).state())
        .isEqualTo("defined");
    assertThat(node.isOurQemu(qemu)).isFalse();
    node.client().deleteVm(vm);
    node.client().deleteDisk("local", disk);
    assertThat(node.liveQemuPids().isEmpty()).isTrue();
  }
}
