package io.vmsaga.agent.server;

import static io.vmsaga.agent.server.LifecycleTest.assertConflict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.ErrorBody;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmDiskInfo;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.os.ProcFs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Disks attached to and detached from VMs against real QEMU (TCG). These VMs have no OS: they boot
 * to the firmware, so nothing in them answers an unplug request (the guest side is in GuestTest).
 * What QEMU really holds is read from {@code /proc/PID/fd} and its argv.
 */
class DiskAttachTest {
  private static final ObjectMapper JSON = AgentJson.lenient();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestNode node;
  private static AgentClient agent;

  record Answer(int status, String body) {
    ErrorBody error() {
      return JSON.readValue(body, ErrorBody.class);
    }

    VmDiskInfo disk() {
      return JSON.readValue(body, VmDiskInfo.class);
    }
  }

  @BeforeAll
  static void startAgent() throws Exception {
    node = TestNode.inProcess("node-disks");
    agent = node.client();
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
    String data = "d-" + TestNode.hex(3);
    agent.putDisk("local", root, DiskSpec.ofMib(64));
    Path dataFile = Path.of(agent.putDisk("local", data, DiskSpec.ofMib(32)).path());
    agent.putVm(vm, config(root));
    long pid = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    assertThat(openFiles(pid)).doesNotContain(dataFile);

    // A file QEMU refuses to open as qcow2: 409, and the config is as it was.
    String junk = "j-" + TestNode.hex(3);
    Files.writeString(node.localPool.resolve(junk + ".qcow2"), "not a qcow2 image");
    VmConfig before = agent.getVm(vm).orElseThrow().config();
    Answer refused = attach(vm, junk, "local");
    assertThat(refused.status()).as(refused.body()).isEqualTo(409);
    assertThat(refused.error().code()).isEqualTo("conflict");
    assertThat(agent.getVm(vm).orElseThrow().config()).isEqualTo(before);
    agent.deleteDisk("local", junk);

    Answer created = attach(vm, data, "local");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    VmDiskInfo attached = created.disk();
    assertThat(attached).isEqualTo(new VmDiskInfo("local", data, 1, "virtio-disk1", true));
    Answer again = attach(vm, data, "local");
    assertThat(again.status()).as("attaching it again is success").isEqualTo(200);
    assertThat(again.disk()).isEqualTo(attached);
    assertThat(agent.attachDisk(vm, data, "local")).isEqualTo(attached);

    assertThat(openFiles(pid)).as("QEMU opened the disk").contains(dataFile);
    assertThat(agent.getVm(vm).orElseThrow().config().disks())
        .isEqualTo(List.of(new VmDisk("local", root, 0), new VmDisk("local", data, 1)));
    assertThat(agent.vmDisks(vm))
        .isEqualTo(List.of(new VmDiskInfo("local", root, 0, "virtio-disk0", true), attached));
    assertThat(agent.getDisk("local", data).orElseThrow().inUse()).isTrue();
    assertConflict(() -> agent.deleteDisk("local", data));
    assertThat(agent.resizeDisk("local", data, DiskSpec.ofMib(48)).sizeMib())
        .as("online block_resize of the hot-plugged disk's node")
        .isEqualTo(48);

    // Nothing in this VM answers the ACPI unplug request: the detach gives up and changes nothing.
    long detachStarted = System.nanoTime();
    AgentException pending =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> agent.detachDisk(vm, data, Duration.ofMillis(500)))
            .actual();
    assertThat(pending.status()).as(pending.toString()).isEqualTo(503);
    assertThat(pending.code()).isEqualTo("unplug_pending");
    assertThat(pending.isRetryable()).isTrue();
    assertThat((System.nanoTime() - detachStarted) / 1_000_000).isBetween(500L, 5_000L);
    assertThat(agent.vmDisks(vm)).contains(attached);
    assertThat(agent.getVm(vm).orElseThrow().config().disks()).hasSize(2);
    assertThat(openFiles(pid)).contains(dataFile);
    assertConflict(() -> agent.deleteDisk("local", data));

    // Stopped, a detach only changes the config.
    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    agent.detachDisk(vm, data);
    agent.detachDisk(vm, data);
    assertThat(agent.getVm(vm).orElseThrow().config().disks())
        .isEqualTo(List.of(new VmDisk("local", root, 0)));
    agent.deleteDisk("local", data);
    assertThat(Files.exists(dataFile)).isFalse();
    long restarted = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    assertThat(agent.vmDisks(vm)).extracting(VmDiskInfo::diskId).containsExactly(root);
    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    assertThat(node.isOurQemu(restarted)).isFalse();
    agent.deleteVm(vm);
    agent.deleteDisk("local", root);
  }

  /**
   * Slots are kept: a detach in the middle renumbers no other disk, the next attach fills the gap,
   * and the QEMU started from the config has each device where the config says.
   */
  @Test
  void attachToADefinedVmAppearsAtStartInItsSlot() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String root = "r-" + TestNode.hex(3);
    String d1 = "d1-" + TestNode.hex(3);
    String d2 = "d2-" + TestNode.hex(3);
    String d3 = "d3-" + TestNode.hex(3);
    agent.putDisk("local", root, DiskSpec.ofMib(64));
    for (String disk : List.of(d1, d2, d3)) {
      agent.putDisk(disk.equals(d2) ? "shared" : "local", disk, DiskSpec.ofMib(16));
    }
    agent.putVm(vm, config(root));

    Answer first = attach(vm, d1, "local");
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.disk())
        .as("the VM does not run: kept for its next start")
        .isEqualTo(new VmDiskInfo("local", d1, 1, "virtio-disk1", false));
    assertThat(agent.attachDisk(vm, d2, "shared"))
        .isEqualTo(new VmDiskInfo("shared", d2, 2, "virtio-disk2", false));
    assertThat(agent.getDisk("local", d1).orElseThrow().inUse())
        .as("in use means held by a running VM")
        .isFalse();
    agent.detachDisk(vm, d1);
    assertThat(agent.attachDisk(vm, d3, "local"))
        .as("the lowest free slot")
        .isEqualTo(new VmDiskInfo("local", d3, 1, "virtio-disk1", false));
    assertThat(agent.getVm(vm).orElseThrow().config().disks())
        .isEqualTo(
            List.of(
                new VmDisk("local", root, 0),
                new VmDisk("shared", d2, 2),
                new VmDisk("local", d3, 1)));

    long pid = agent.action(vm, VmAction.of(Action.START, 30_000)).pid();
    assertThat(agent.vmDisks(vm))
        .isEqualTo(
            List.of(
                new VmDiskInfo("local", root, 0, "virtio-disk0", true),
                new VmDiskInfo("shared", d2, 2, "virtio-disk2", true),
                new VmDiskInfo("local", d3, 1, "virtio-disk1", true)));
    assertThat(openFiles(pid))
        .contains(
            node.localPool.resolve(root + ".qcow2"),
            node.sharedPool.resolve(d2 + ".qcow2"),
            node.localPool.resolve(d3 + ".qcow2"))
        .doesNotContain(node.localPool.resolve(d1 + ".qcow2"));
    List<String> argv = ProcFs.cmdline(pid).orElseThrow();
    assertThat(argv)
        .contains(
            "{\"driver\":\"virtio-blk-pci\",\"id\":\"virtio-disk0\",\"drive\":\"disk0\","
                + "\"bus\":\"pcie.0\",\"addr\":\"0x1\",\"bootindex\":0}",
            "{\"driver\":\"virtio-blk-pci\",\"id\":\"virtio-disk2\",\"drive\":\"disk2\","
                + "\"bus\":\"disk-port2\",\"addr\":\"0x0\",\"bootindex\":2}",
            "{\"driver\":\"pcie-root-port\",\"id\":\"disk-port2\",\"bus\":\"pcie.0\","
                + "\"addr\":\"0x10.0x1\",\"chassis\":2,\"port\":2,\"io-reserve\":0}");
    assertThat(argv.stream().filter(a -> a.contains("\"id\":\"disk-port")))
        .as("a port per data slot, whatever the config")
        .hasSize(15);
    assertThat(agent.getDisk("shared", d2).orElseThrow().inUse()).isTrue();

    agent.action(vm, VmAction.of(Action.STOP, 2_000));
    agent.deleteVm(vm);
    agent.deleteDisk("local", root);
    agent.deleteDisk("local", d1);
    agent.deleteDisk("shared", d2);
    agent.deleteDisk("local", d3);
  }

  @Test
  void badAttachmentsAreRefusedAndChangeNothing() throws Exception {
    String vm = "vm-" + TestNode.hex(3);
    String other = "vm-" + TestNode.hex(3);
    String root = "r-" + TestNode.hex(3);
    String otherRoot = "r-" + TestNode.hex(3);
    String data = "d-" + TestNode.hex(3);
    agent.putDisk("local", root, DiskSpec.ofMib(16));
    agent.putDisk("shared", root, DiskSpec.ofMib(16));
    agent.putDisk("local", otherRoot, DiskSpec.ofMib(16));
    agent.putDisk("local", data, DiskSpec.ofMib(16));
    agent.putVm(vm, config(root));
    agent.putVm(other, config(otherRoot));
    VmConfig before = agent.getVm(vm).orElseThrow().config();
    VmConfig otherBefore = agent.getVm(other).orElseThrow().config();
    String disks = "/v1/vms/" + vm + "/disks/";

    record Case(String method, String path, String body, int status, String code) {}
    List<Case> cases =
        List.of(
            new Case("PUT", disks + data, "{\"pool\":\"tmp\"}", 400, "invalid"),
            new Case("PUT", disks + data, "{}", 400, "invalid"),
            new Case("PUT", disks + data, "{\"pool\":\"local\",\"slot\":3}", 400, "invalid"),
            new Case("PUT", disks + data, null, 400, "invalid"),
            new Case("PUT", disks + "Bad_Id", "{\"pool\":\"local\"}", 400, "invalid"),
            new Case("PUT", disks + "nope", "{\"pool\":\"local\"}", 404, "not_found"),
            new Case("PUT", disks + data, "{\"pool\":\"shared\"}", 404, "not_found"),
            new Case("PUT", "/v1/vms/nope/disks/" + data, "{\"pool\":\"local\"}", 404, "not_found"),
            new Case("GET", "/v1/vms/nope/disks", null, 404, "not_found"),
            new Case("PUT", disks + otherRoot, "{\"pool\":\"local\"}", 409, "conflict"),
            new Case("PUT", disks + root, "{\"pool\":\"shared\"}", 409, "conflict"),
            new Case("DELETE", disks + root, null, 409, "conflict"),
            new Case("DELETE", disks + data + "?timeout_ms=abc", null, 400, "invalid"),
            new Case("DELETE", disks + data + "?timeout_ms=99", null, 400, "invalid"),
            new Case("DELETE", disks + data + "?timeout_ms=120001", null, 400, "invalid"),
            new Case("DELETE", disks + "Bad_Id", null, 400, "invalid"));
    for (Case c : cases) {
      Answer answer = send(c.method(), c.path(), c.body());
      assertThat(answer.status()).as(c + " -> " + answer.body()).isEqualTo(c.status());
      assertThat(answer.error().code()).as(c.toString()).isEqualTo(c.code());
      assertThat(agent.getVm(vm).orElseThrow().config()).as(c.toString()).isEqualTo(before);
      assertThat(agent.getVm(other).orElseThrow().config()).isEqualTo(otherBefore);
    }
    for (String path : List.of(disks + data, disks + "nope", "/v1/vms/nope/disks/" + data)) {
      assertThat(send("DELETE", path, null).status())
          .as("DELETE of an attachment that does not exist is success: " + path)
          .isEqualTo(204);
    }
    assertThat(agent.getVm(vm).orElseThrow().config()).isEqualTo(before);

    agent.deleteVm(vm);
    agent.deleteVm(other);
    agent.deleteDisk("local", root);
    agent.deleteDisk("shared", root);
    agent.deleteDisk("local", otherRoot);
    agent.deleteDisk("local", data);
  }

  private static VmConfig config(String rootDisk) {
    return new VmConfig(
        "disks", 1, null, 128L, null, null, List.of(new VmDisk("local", rootDisk)), null, null);
  }

  /** The files a process has open. */
  static Set<Path> openFiles(long pid) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.map(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd);
                } catch (IOException e) {
                  return fd;
                }
              })
          .collect(Collectors.toSet());
    }
  }

  private static Answer attach(String vm, String disk, String pool) throws Exception {
    return send("PUT", "/v1/vms/" + vm + "/disks/" + disk, "{\"pool\":\"" + pool + "\"}");
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
