package io.vmsaga.agent.server;

import static io.vmsaga.agent.server.LifecycleTest.assertConflict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.ErrorBody;
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
import io.vmsaga.agent.server.os.ProcFs;
import io.vmsaga.agent.server.os.TunFds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * NICs attached to and detached from VMs against real QEMU (TCG) and real taps. These VMs have no
 * OS: nothing in them answers an unplug request (the guest side is in GuestTest). Which taps QEMU
 * really holds is read from {@code /proc/PID/fdinfo} (a tun fd names its interface), where QEMU put
 * each device from the agent's {@code pci_path} (QMP {@code query-pci}) and from its argv.
 */
class NicAttachTest {
  private static final ObjectMapper JSON = AgentJson.lenient();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestNode node;
  private static AgentClient agent;
  private static String bridge;

  record Answer(int status, String body) {
    ErrorBody error() {
      return JSON.readValue(body, ErrorBody.class);
    }

    VmNicInfo nic() {
      return JSON.readValue(body, VmNicInfo.class);
    }
  }

  @BeforeAll
  static void startAgent() throws Exception {
    node = TestNode.inProcess("node-nics");
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
  void attachToARunningVmPlugsItAndKeepsItInTheConfig() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String root = "r-" + TestNode.hex(3);
    String bootTap = tap();
    String newTap = tap();
    String bootMac = mac();
    String newMac = mac();
    agent.putDisk("local", root, DiskSpec.ofMib(16));
    agent.putVm(vm, config(root, List.of(new VmNic(bootTap, bootMac))));
    long pid = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    VmNicInfo boot = new VmNicInfo("nic0", bootTap, bootMac, 0, "nic0", true, "00:02.0", "ok");
    assertThat(agent.vmNics(vm))
        .as("the boot NIC where QEMU always put it: after the boot disk at 00:01.0")
        .containsExactly(boot);
    assertThat(tapsHeld(pid)).containsExactlyInAnyOrder(bootTap);

    // A multi-queue tap QEMU cannot open as a single-queue one: 409, and the config is as it was.
    String multiQueue = TestNode.name("vtt");
    Exec.run(
        Duration.ofSeconds(5),
        List.of("ip", "tuntap", "add", "dev", multiQueue, "mode", "tap", "multi_queue"));
    try {
      VmConfig before = agent.getVm(vm).orElseThrow().config();
      Answer refused = attach(vm, "mq", multiQueue, mac());
      assertThat(refused.status()).as(refused.body()).isEqualTo(409);
      assertThat(refused.error().code()).isEqualTo("conflict");
      assertThat(agent.getVm(vm).orElseThrow().config()).isEqualTo(before);
      assertThat(tapsHeld(pid)).containsExactlyInAnyOrder(bootTap);
    } finally {
      Exec.run(Duration.ofSeconds(5), List.of("ip", "link", "del", "dev", multiQueue));
    }

    Answer created = attach(vm, "uplink", newTap, newMac);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    VmNicInfo attached =
        new VmNicInfo("uplink", newTap, newMac, 1, "nic1", true, "00:12.0/00.0", "ok");
    assertThat(withoutPath(created.nic())).isEqualTo(withoutPath(attached));
    assertThat(awaitPlaced(agent, vm))
        .as("slot 1, behind its own root port at 00:12.0")
        .containsExactly(boot, attached);
    Answer again = attach(vm, "uplink", newTap, newMac);
    assertThat(again.status()).as("attaching it again is success").isEqualTo(200);
    assertThat(again.nic()).isEqualTo(attached);
    assertThat(agent.attachNic(vm, "uplink", newTap, newMac)).isEqualTo(attached);

    assertThat(tapsHeld(pid))
        .as("QEMU opened the new tap")
        .containsExactlyInAnyOrder(bootTap, newTap);
    assertThat(agent.getVm(vm).orElseThrow().config().nics())
        .isEqualTo(
            List.of(
                new VmNic("nic0", bootTap, bootMac, 0), new VmNic("uplink", newTap, newMac, 1)));
    assertThat(agent.vmNics(vm)).containsExactly(boot, attached);
    assertConflict(() -> agent.deleteTap(newTap));
    assertConflict(() -> agent.detachNic(vm, "nic0"));

    // Nothing in this VM answers the ACPI unplug request: the detach gives up and changes nothing.
    long detachStarted = System.nanoTime();
    AgentException pending =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.detachNic(vm, "uplink", Duration.ofMillis(500)))
            .actual();
    assertThat(pending.status()).as(pending.toString()).isEqualTo(503);
    assertThat(pending.code()).isEqualTo("unplug_pending");
    assertThat(pending.isRetryable()).isTrue();
    assertThat((System.nanoTime() - detachStarted) / 1_000_000).isBetween(500L, 5_000L);
    assertThat(agent.vmNics(vm)).containsExactly(boot, attached);
    assertThat(tapsHeld(pid)).containsExactlyInAnyOrder(bootTap, newTap);
    assertConflict(() -> agent.deleteTap(newTap));

    // Stopped, a detach only changes the config; the boot NIC may go too, the last one as well.
    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    assertConflict(() -> agent.deleteTap(newTap));
    agent.detachNic(vm, "uplink");
    agent.detachNic(vm, "uplink");
    assertThat(agent.getVm(vm).orElseThrow().config().nics())
        .isEqualTo(List.of(new VmNic("nic0", bootTap, bootMac, 0)));
    agent.deleteTap(newTap);
    assertThat(Links.exists(newTap)).isFalse();
    long restarted = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    assertThat(agent.vmNics(vm)).containsExactly(boot);
    assertThat(tapsHeld(restarted)).containsExactlyInAnyOrder(bootTap);
    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    agent.detachNic(vm, "nic0");
    assertThat(agent.vmNics(vm)).isEmpty();
    agent.deleteTap(bootTap);
    agent.deleteVm(vm);
    agent.deleteDisk("local", root);
  }

  /**
   * Slots are kept: a detach in the middle renumbers no other NIC, the next attach fills the gap,
   * and the QEMU started from the config has each device where the config says.
   */
  @Test
  void attachToADefinedVmAppearsAtStartInItsSlot() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String root = "r-" + TestNode.hex(3);
    String t1 = tap();
    String t2 = tap();
    String t3 = tap();
    String m1 = mac();
    String m2 = mac();
    String m3 = mac();
    agent.putDisk("local", root, DiskSpec.ofMib(16));
    agent.putVm(vm, config(root, null));

    Answer first = attach(vm, "a", t1, m1);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.nic())
        .as("the VM does not run: kept for its next start, in slot 1 (slot 0 cannot unplug)")
        .isEqualTo(new VmNicInfo("a", t1, m1, 1, "nic1", false, null, null));
    assertThat(agent.attachNic(vm, "b", t2, m2))
        .isEqualTo(new VmNicInfo("b", t2, m2, 2, "nic2", false, null, null));
    assertConflict(() -> agent.deleteTap(t1));
    agent.detachNic(vm, "a");
    agent.deleteTap(t1);
    assertThat(agent.attachNic(vm, "c", t3, m3))
        .as("the lowest free slot")
        .isEqualTo(new VmNicInfo("c", t3, m3, 1, "nic1", false, null, null));
    assertThat(agent.getVm(vm).orElseThrow().config().nics())
        .isEqualTo(List.of(new VmNic("b", t2, m2, 2), new VmNic("c", t3, m3, 1)));

    long pid = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    assertThat(awaitPlaced(agent, vm))
        .containsExactly(
            new VmNicInfo("b", t2, m2, 2, "nic2", true, "00:12.1/00.0", "ok"),
            new VmNicInfo("c", t3, m3, 1, "nic1", true, "00:12.0/00.0", "ok"));
    assertThat(tapsHeld(pid)).containsExactlyInAnyOrder(t2, t3);
    List<String> argv = ProcFs.cmdline(pid).orElseThrow();
    assertThat(argv)
        .contains(
            "{\"type\":\"tap\",\"id\":\"net1\",\"ifname\":\""
                + t3
                + "\",\"script\":\"no\",\"downscript\":\"no\",\"vhost\":false}",
            "{\"driver\":\"virtio-net-pci\",\"id\":\"nic1\",\"netdev\":\"net1\",\"mac\":\""
                + m3
                + "\",\"bus\":\"nic-port1\",\"addr\":\"0x0\",\"romfile\":\"\"}",
            "{\"driver\":\"pcie-root-port\",\"id\":\"nic-port1\",\"bus\":\"pcie.0\","
                + "\"addr\":\"0x12.0x0\",\"chassis\":16,\"port\":16,\"io-reserve\":0,"
                + "\"multifunction\":true}");
    assertThat(argv.stream().filter(a -> a.contains("\"id\":\"nic-port")))
        .as("a port per NIC slot 1..7, whatever the config")
        .hasSize(7);
    assertThat(argv.stream().filter(a -> a.contains("\"id\":\"disk-port"))).hasSize(15);

    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    agent.deleteVm(vm);
    agent.deleteTap(t2);
    agent.deleteTap(t3);
    agent.deleteDisk("local", root);
  }

  /** How assignVm puts a stopped VM's boot NIC back where it was: slot 0, asked for by number. */
  @Test
  void aStoppedVmsNicGoesBackIntoTheSlotAskedFor() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String root = "r-" + TestNode.hex(3);
    String bootTap = tap();
    String newTap = tap();
    String bootMac = mac();
    String newMac = mac();
    agent.putDisk("local", root, DiskSpec.ofMib(16));
    agent.putVm(vm, config(root, List.of(new VmNic(bootTap, bootMac))));
    agent.attachNic(vm, "new", newTap, newMac);
    agent.detachNic(vm, "nic0");
    VmConfig before = agent.getVm(vm).orElseThrow().config();
    assertConflict(() -> agent.attachNic(vm, "nic0", bootTap, bootMac, 1));
    assertThat(agent.getVm(vm).orElseThrow().config()).as("slot 1 is taken").isEqualTo(before);

    assertThat(agent.attachNic(vm, "nic0", bootTap, bootMac, 0))
        .isEqualTo(new VmNicInfo("nic0", bootTap, bootMac, 0, "nic0", false, null, null));
    assertThat(agent.attachNic(vm, "nic0", bootTap, bootMac, 0).slot()).as("again").isZero();
    assertConflict(() -> agent.attachNic(vm, "nic0", bootTap, bootMac, 2));
    agent.detachNic(vm, "new");
    assertThat(agent.getVm(vm).orElseThrow().config().nics())
        .containsExactly(new VmNic("nic0", bootTap, bootMac, 0));

    long pid = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    assertThat(tapsHeld(pid)).as("the NIC put back boots where it was").containsExactly(bootTap);
    agent.action(vm, VmAction.of(Action.STOP, 2_000));

    // a running VM's slot 0 is the root bus, which cannot take a plug
    String running = "vm-" + TestNode.hex(3);
    agent.putVm(running, config(null, List.of(new VmNic("only", newTap, newMac, 1))));
    agent.action(running, VmAction.of(Action.START, 30_000));
    String spareTap = tap();
    VmConfig runningBefore = agent.getVm(running).orElseThrow().config();
    assertConflict(() -> agent.attachNic(running, "zero", spareTap, mac(), 0));
    assertThat(agent.getVm(running).orElseThrow().config()).isEqualTo(runningBefore);

    agent.action(running, VmAction.of(Action.STOP, 2_000));
    agent.deleteVm(running);
    agent.deleteVm(vm);
    for (String t : List.of(bootTap, newTap, spareTap)) {
      agent.deleteTap(t);
    }
    agent.deleteDisk("local", root);
  }

  @Test
  void badAttachmentsAreRefusedAndChangeNothing() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String other = "vm-" + TestNode.hex(3);
    String full = "vm-" + TestNode.hex(3);
    String root = "r-" + TestNode.hex(3);
    String bootTap = tap();
    String otherTap = tap();
    String freeTap = tap();
    String bootMac = mac();
    String otherMac = mac();
    String freeMac = mac();
    agent.putDisk("local", root, DiskSpec.ofMib(16));
    agent.putVm(vm, config(root, List.of(new VmNic(bootTap, bootMac))));
    agent.putVm(other, config(null, List.of(new VmNic("theirs", otherTap, otherMac, 3))));
    // Slots 1..7 taken, slot 0 free: an attached NIC never takes slot 0, so none is free.
    List<VmNic> seven = new ArrayList<>();
    for (int slot = 1; slot <= 7; slot++) {
      seven.add(new VmNic(null, "vttfull" + slot, "52:54:00:ff:00:0" + slot, slot));
    }
    agent.putVm(full, config(null, seven));
    VmConfig before = agent.getVm(vm).orElseThrow().config();
    VmConfig otherBefore = agent.getVm(other).orElseThrow().config();
    VmConfig fullBefore = agent.getVm(full).orElseThrow().config();
    String nics = "/v1/vms/" + vm + "/nics/";

    record Case(String method, String path, String body, int status, String code) {}
    List<Case> cases =
        List.of(
            new Case("PUT", nics + "n1", body("vtt;ls", freeMac), 400, "invalid"),
            new Case("PUT", nics + "n1", body(freeTap, "01:00:5e:00:00:01"), 400, "invalid"),
            new Case("PUT", nics + "n1", body(freeTap, "52:54:00:AB:00:01"), 400, "invalid"),
            new Case("PUT", nics + "n1", body(freeTap, "52:54:00:00:01"), 400, "invalid"),
            new Case("PUT", nics + "n1", "{\"tap\":\"" + freeTap + "\"}", 400, "invalid"),
            new Case("PUT", nics + "n1", "{\"mac\":\"" + freeMac + "\"}", 400, "invalid"),
            new Case("PUT", nics + "n1", "{}", 400, "invalid"),
            new Case("PUT", nics + "n1", null, 400, "invalid"),
            new Case("PUT", nics + "n1", "{\"tap\":1,\"mac\":\"" + freeMac + "\"}", 400, "invalid"),
            new Case(
                "PUT",
                nics + "n1",
                "{\"tap\":\"" + freeTap + "\",\"mac\":\"" + freeMac + "\",\"slot\":8}",
                400,
                "invalid"),
            new Case(
                "PUT",
                nics + "n1",
                "{\"tap\":\"" + freeTap + "\",\"mac\":\"" + freeMac + "\",\"slot\":-1}",
                400,
                "invalid"),
            new Case("PUT", nics + "Bad_Id", body(freeTap, freeMac), 400, "invalid"),
            new Case("PUT", nics + "n1", body("vttnone", freeMac), 404, "not_found"),
            new Case("PUT", "/v1/vms/nope/nics/n1", body(freeTap, freeMac), 404, "not_found"),
            new Case("GET", "/v1/vms/nope/nics", null, 404, "not_found"),
            new Case("PUT", nics + "n1", body(otherTap, freeMac), 409, "conflict"),
            new Case("PUT", nics + "n1", body(freeTap, otherMac), 409, "conflict"),
            new Case("PUT", nics + "n1", body(bootTap, freeMac), 409, "conflict"),
            new Case("PUT", nics + "n1", body(freeTap, bootMac), 409, "conflict"),
            new Case("PUT", nics + "nic0", body(freeTap, freeMac), 409, "conflict"),
            new Case("PUT", nics + "nic0", body(bootTap, freeMac), 409, "conflict"),
            new Case(
                "PUT", "/v1/vms/" + full + "/nics/n1", body(freeTap, freeMac), 409, "conflict"),
            new Case("DELETE", nics + "nic0?timeout_ms=abc", null, 400, "invalid"),
            new Case("DELETE", nics + "nic0?timeout_ms=99", null, 400, "invalid"),
            new Case("DELETE", nics + "nic0?timeout_ms=120001", null, 400, "invalid"),
            new Case("DELETE", nics + "Bad_Id", null, 400, "invalid"));
    for (Case c : cases) {
      Answer answer = send(c.method(), c.path(), c.body());
      assertThat(answer.status()).as(c + " -> " + answer.body()).isEqualTo(c.status());
      assertThat(answer.error().code()).as(c.toString()).isEqualTo(c.code());
      assertThat(agent.getVm(vm).orElseThrow().config()).as(c.toString()).isEqualTo(before);
      assertThat(agent.getVm(other).orElseThrow().config()).isEqualTo(otherBefore);
      assertThat(agent.getVm(full).orElseThrow().config()).isEqualTo(fullBefore);
    }
    for (String path : List.of(nics + "n1", "/v1/vms/nope/nics/n1")) {
      assertThat(send("DELETE", path, null).status())
          .as("DELETE of an attachment that does not exist is success: " + path)
          .isEqualTo(204);
    }
    assertThat(agent.getVm(vm).orElseThrow().config()).isEqualTo(before);
    assertThat(agent.vmNics(other))
        .containsExactly(new VmNicInfo("theirs", otherTap, otherMac, 3, "nic3", false, null, null));
    assertConflict(() -> agent.deleteTap(otherTap));

    for (String id : List.of(vm, other, full)) {
      agent.deleteVm(id);
    }
    for (String tap : List.of(bootTap, otherTap, freeTap)) {
      agent.deleteTap(tap);
    }
    agent.deleteDisk("local", root);
  }

  /**
   * A config written before NICs had ids and slots reads back with those its QEMU was started with
   * (list order), and a PUT of the same config without them is the same config (200).
   */
  @Test
  void aConfigStoredWithoutNicSlotsReadsBackWithThem() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    Path dir = Files.createDirectories(node.stateDir.resolve("vms").resolve(vm));
    Files.writeString(
        dir.resolve("config.json"),
        "{\"name\":\"old\",\"vcpus\":1,\"max_vcpus\":1,\"memory_mib\":128,"
            + "\"max_memory_mib\":128,\"memory_slots\":0,\"disks\":[],"
            + "\"nics\":[{\"tap\":\"vttold0\",\"mac\":\"52:54:00:00:0a:01\"},"
            + "{\"tap\":\"vttold1\",\"mac\":\"52:54:00:00:0a:02\"}],"
            + "\"hotplugged\":{\"cpus\":[],\"memory\":[]}}");
    List<VmNic> plain =
        List.of(
            new VmNic("vttold0", "52:54:00:00:0a:01"), new VmNic("vttold1", "52:54:00:00:0a:02"));
    assertThat(agent.getVm(vm).orElseThrow().config().nics())
        .isEqualTo(
            List.of(
                new VmNic("nic0", "vttold0", "52:54:00:00:0a:01", 0),
                new VmNic("nic1", "vttold1", "52:54:00:00:0a:02", 1)));
    Answer same =
        send(
            "PUT",
            "/v1/vms/" + vm,
            JSON.writeValueAsString(
                new VmConfig("old", 1, null, 128L, null, null, null, plain, null)));
    assertThat(same.status()).as(same.body()).isEqualTo(200);
    agent.deleteVm(vm);
  }

  /**
   * The VM's NICs once QEMU lists every live one in its PCI tree: a NIC behind a root port has no
   * {@code pci_path} until the firmware (or the guest) has numbered the port's bus, a moment after
   * QEMU starts.
   */
  static List<VmNicInfo> awaitPlaced(AgentClient agent, String vm) throws InterruptedException {
    AtomicReference<List<VmNicInfo>> nics = new AtomicReference<>();
    TestNode.await(
        Duration.ofSeconds(20),
        () -> {
          nics.set(agent.vmNics(vm));
          return nics.get().stream().allMatch(n -> !n.live() || n.pciPath() != null);
        });
    return nics.get();
  }

  static VmNicInfo withoutPath(VmNicInfo nic) {
    return new VmNicInfo(
        nic.nicId(),
        nic.tap(),
        nic.mac(),
        nic.slot(),
        nic.deviceId(),
        nic.live(),
        null,
        nic.tapState());
  }

  /** A new tap on the test's bridge. */
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
        "nics",
        1,
        null,
        128L,
        null,
        null,
        rootDisk == null ? null : List.of(new VmDisk("local", rootDisk)),
        nics,
        null);
  }

  /** The taps a process holds: each open {@code /dev/net/tun} names its interface in fdinfo. */
  static Set<String> tapsHeld(long pid) {
    return TunFds.list(pid).values().stream()
        .filter(tap -> !tap.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String body(String tap, String mac) {
    return "{\"tap\":\"" + tap + "\",\"mac\":\"" + mac + "\"}";
  }

  private static Answer attach(String vm, String nicId, String tap, String mac) throws Exception {
    return send("PUT", "/v1/vms/" + vm + "/nics/" + nicId, body(tap, mac));
  }

  private static Answer send(String method, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(node.baseUri() + path))
            .header("Authorization", "Bearer " + node.token)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }
}
