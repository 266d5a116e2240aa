package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.api.VmNicInfo;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.os.Exec;
import io.vmsaga.agent.server.os.TunFds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Taps deleted, downed or unplugged from their bridge by hand under a running VM (real QEMU, TCG,
 * no guest OS; the guest's view is in GuestTest), and mended by {@code PUT
 * /v1/vms/{vm_id}/nics/{nic_id}/tap} without a restart: QEMU's own tap file attached again, as
 * {@code /proc/PID/fdinfo} and the file's flags and header size say.
 */
class NicRepairTest {
  private static TestNode node;
  private static AgentClient agent;
  private static String bridge;

  @BeforeAll
  static void startAgent() throws Exception {
    node = TestNode.inProcess("node-repair");
    agent = node.client();
    bridge = TestNode.name("vbt");
    agent.putBridge(bridge);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      assertThat(node.liveQemuPids()).isEqualTo(List.of());
    } finally {
      node.close();
    }
  }

  @Test
  void deletedTapsComeBackUnderTheRunningVmInSlotZeroAndInAPluggedSlot() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String root = "r-" + TestNode.hex(3);
    String bootTap = tap();
    String plugTap = tap();
    agent.putDisk("local", root, DiskSpec.ofMib(16));
    agent.putVm(vm, config(root, List.of(new VmNic(bootTap, mac()))));
    long pid = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    agent.attachNic(vm, "uplink", plugTap, mac());
    NicAttachTest.awaitPlaced(agent, vm);
    assertThat(states(vm)).containsExactly(VmNicInfo.TAP_OK, VmNicInfo.TAP_OK);
    TunFds.TapFile bootFile = tapFile(pid, bootTap);
    TunFds.TapFile plugFile = tapFile(pid, plugTap);
    assertThat(bootFile.flags())
        .as("tap, no PI, one queue, vnet header, persistent: as QEMU and ip tuntap made it")
        .isEqualTo(0x7802)
        .isEqualTo(tunFlags(bootTap));
    assertThat(bootFile.vnetHdrBytes()).as("no driver took the device: 10").isEqualTo(10);
    List<VmNicInfo> before = agent.vmNics(vm);

    ip("link", "del", "dev", bootTap);
    ip("link", "del", "dev", plugTap);
    assertThat(states(vm)).containsExactly(VmNicInfo.TAP_MISSING, VmNicInfo.TAP_MISSING);
    assertThat(NicAttachTest.tapsHeld(pid)).isEmpty();
    assertThat(TunFds.list(pid).values()).as("QEMU keeps both files, detached").hasSize(2);

    for (String nic : List.of("uplink", "nic0")) {
      long started = System.nanoTime();
      VmNicInfo repaired = agent.repairNicTap(vm, nic);
      System.out.println(
          "NicRepairTest: "
              + nic
              + " repaired in "
              + (System.nanoTime() - started) / 1_000_000
              + " ms");
      assertThat(repaired).isEqualTo(byId(before, nic));
    }
    assertThat(agent.vmNics(vm)).isEqualTo(before);
    assertThat(agent.getVm(vm).orElseThrow().pid()).as("the same QEMU").isEqualTo(pid);
    assertThat(NicAttachTest.tapsHeld(pid)).containsExactlyInAnyOrder(bootTap, plugTap);
    for (String tap : List.of(bootTap, plugTap)) {
      assertThat(Links.master(tap)).contains(bridge);
      assertThat(Links.isUp(tap)).isTrue();
      assertThat(tunFlags(tap)).isEqualTo(0x7802);
    }
    assertThat(tapFile(pid, bootTap)).isEqualTo(bootFile);
    assertThat(tapFile(pid, plugTap)).isEqualTo(plugFile);

    // A tap that is well: nothing done, the same link
    String ifindex = Files.readString(Path.of("/sys/class/net", bootTap, "ifindex"));
    assertThat(agent.repairNicTap(vm, "nic0")).isEqualTo(byId(before, "nic0"));
    assertThat(Files.readString(Path.of("/sys/class/net", bootTap, "ifindex"))).isEqualTo(ifindex);

    // down, off its bridge, and made again by hand (QEMU's file not on it): each mended
    ip("link", "set", "dev", plugTap, "down");
    assertThat(states(vm)).containsExactly(VmNicInfo.TAP_OK, VmNicInfo.TAP_DOWN);
    assertThat(agent.repairNicTap(vm, "uplink").tapState()).isEqualTo(VmNicInfo.TAP_OK);
    ip("link", "set", "dev", plugTap, "nomaster");
    assertThat(states(vm)).containsExactly(VmNicInfo.TAP_OK, VmNicInfo.TAP_WRONG_BRIDGE);
    assertThat(agent.repairNicTap(vm, "uplink").tapState()).isEqualTo(VmNicInfo.TAP_OK);
    assertThat(Links.master(plugTap)).contains(bridge);
    ip("link", "del", "dev", bootTap);
    ip("tuntap", "add", "dev", bootTap, "mode", "tap");
    assertThat(states(vm)).containsExactly(VmNicInfo.TAP_DETACHED, VmNicInfo.TAP_OK);
    assertThat(agent.repairNicTap(vm, "nic0")).isEqualTo(byId(before, "nic0"));
    assertThat(NicAttachTest.tapsHeld(pid)).containsExactlyInAnyOrder(bootTap, plugTap);
    assertThat(tapFile(pid, bootTap)).isEqualTo(bootFile);
    assertThat(Links.master(bootTap)).contains(bridge);

    // Not running: nothing to repair
    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    assertThat(states(vm)).containsExactly(null, null);
    assertRefused(() -> agent.repairNicTap(vm, "nic0"), 409, "conflict");
    assertRefused(() -> agent.repairNicTap(vm, "nope"), 404, "not_found");
    assertRefused(() -> agent.repairNicTap("vm-nope", "nic0"), 404, "not_found");
    agent.detachNic(vm, "uplink");
    agent.detachNic(vm, "nic0");
    agent.deleteVm(vm);
    agent.deleteTap(bootTap);
    agent.deleteTap(plugTap);
    agent.deleteDisk("local", root);
  }

  /**
   * Which detached file was whose is known from the files seen attached; a file never seen so
   * (here: the note removed before the taps went) is only taken when it is the one such file.
   */
  @Test
  void filesNeverSeenAttachedAreOnlyTakenWhenTheyCannotBeMixedUp() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    List<String> taps = List.of(tap(), tap(), tap());
    agent.putVm(
        vm,
        config(
            null,
            List.of(
                new VmNic(taps.get(0), mac()),
                new VmNic(taps.get(1), mac()),
                new VmNic(taps.get(2), mac()))));
    long pid = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    Path note = node.root.resolve("r").resolve(vm + ".taps");
    assertThat(Files.readAllLines(note)).hasSize(4).first().isEqualTo("pid " + pid);

    Files.delete(note);
    ip("link", "del", "dev", taps.get(0));
    ip("link", "del", "dev", taps.get(1));
    assertRefused(() -> agent.repairNicTap(vm, "nic0"), 409, "tap_fd_ambiguous");
    assertRefused(() -> agent.repairNicTap(vm, "nic1"), 409, "tap_fd_ambiguous");
    assertThat(states(vm))
        .containsExactly(VmNicInfo.TAP_MISSING, VmNicInfo.TAP_MISSING, VmNicInfo.TAP_OK);
    stopAndDelete(vm);

    // the same with one tap gone: its file is the only one nobody's
    pid = startAgain(vm, taps);
    Files.delete(note);
    ip("link", "del", "dev", taps.get(1));
    assertThat(agent.repairNicTap(vm, "nic1").tapState()).isEqualTo(VmNicInfo.TAP_OK);
    assertThat(NicAttachTest.tapsHeld(pid)).containsExactlyInAnyOrderElementsOf(taps);

    // a tap the agent did not make: it does not know the bridge
    String handMade = TestNode.name("vtt");
    ip("tuntap", "add", "dev", handMade, "mode", "tap");
    try {
      agent.attachNic(vm, "hand", handMade, mac());
      assertRefused(() -> agent.repairNicTap(vm, "hand"), 409, "conflict");
      agent.action(vm, VmAction.of(Action.STOP, 2_000));
      agent.detachNic(vm, "hand");
    } finally {
      ip("link", "del", "dev", handMade);
    }
    stopAndDelete(vm);
    for (String tap : taps) {
      agent.deleteTap(tap);
    }
  }

  /** The VM defined and started again on the same taps (all there again). */
  private static long startAgain(String vm, List<String> taps) {
    for (String tap : taps) {
      agent.putTap(tap, new TapSpec(bridge));
    }
    agent.putVm(
        vm,
        config(
            null,
            List.of(
                new VmNic(taps.get(0), mac()),
                new VmNic(taps.get(1), mac()),
                new VmNic(taps.get(2), mac()))));
    return agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
  }

  private static void stopAndDelete(String vm) {
    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    agent.deleteVm(vm);
  }

  /** The file of {@code pid} attached to {@code tap}, as the kernel describes it. */
  static TunFds.TapFile tapFile(long pid, String tap) {
    Map<Integer, String> fds = TunFds.list(pid);
    int fd =
        fds.entrySet().stream()
            .filter(e -> e.getValue().equals(tap))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no file on " + tap + ": " + fds));
    return TunFds.describe(pid, fd);
  }

  private static int tunFlags(String tap) throws IOException {
    return Integer.decode(Files.readString(Path.of("/sys/class/net", tap, "tun_flags")).strip());
  }

  private static List<String> states(String vm) {
    return agent.vmNics(vm).stream().map(VmNicInfo::tapState).toList();
  }

  private static VmNicInfo byId(List<VmNicInfo> nics, String nicId) {
    return nics.stream().filter(n -> n.nicId().equals(nicId)).findFirst().orElseThrow();
  }

  private static void assertRefused(Runnable call, int status, String code) {
    AgentException e =
        assertThatExceptionOfType(AgentException.class).isThrownBy(call::run).actual();
    assertThat(e.status()).as(e.toString()).isEqualTo(status);
    assertThat(e.code()).as(e.toString()).isEqualTo(code);
  }

  private static void ip(String... args) {
    Exec.run(Duration.ofSeconds(5), Stream.concat(Stream.of("ip"), Stream.of(args)).toList());
  }

  private static String tap() {
    String tap = TestNode.name("vtt");
    agent.putTap(tap, new TapSpec(bridge));
    return tap;
  }

  private static String mac() {
    return "52:54:00:" + LifecycleTest.mac3();
  }

  private static VmConfig config(String rootDisk, List<VmNic> nics) {
    return new VmConfig(
        "repair",
        1,
        null,
        128L,
        null,
        null,
        rootDisk == null ? null : List.of(new VmDisk("local", rootDisk)),
        nics,
        null);
  }
}
