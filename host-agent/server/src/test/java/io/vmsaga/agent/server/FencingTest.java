package io.vmsaga.agent.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.FencedVm;
import io.vmsaga.agent.api.FencingReport;
import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmAction.Action;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDisk;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.agent.server.net.Links;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.ProcFs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fencing against real QEMU (TCG, no guest OS): node A's VMs whose lease node B took (as the
 * control plane does when it evacuates a node it found dead) are killed and undefined, their taps
 * deleted, their shared disks kept; at start-up before the agent answers, and on request.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FencingTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path shared;
  private static TestNode nodeA;
  private static TestNode nodeB;

  @BeforeAll
  static void startAgents() throws Exception {
    shared = Files.createTempDirectory(Path.of("/tmp"), "vs-shared");
    nodeA = TestNode.inProcess("node-fence-a", shared, 200);
    nodeB = TestNode.inProcess("node-fence-b", shared, 200);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      nodeA.close();
    } finally {
      nodeB.close();
      AtomicFiles.deleteTree(shared);
    }
  }

  @Test
  void startIsRefusedWhileAnotherNodeHoldsTheLease() {
    AgentClient a = nodeA.client();
    AgentClient b = nodeB.client();
    String vm = "vm-" + TestNode.hex(3);
    String disk = "d-" + TestNode.hex(3);
    a.putDisk("local", disk, DiskSpec.ofMib(16));
    a.putVm(vm, config("local", disk, List.of()));
    b.putLease(vm, 1);

    AgentException e =
        assertThatExceptionOfType(AgentException.class)
            .isThrownBy(() -> a.action(vm, VmAction.of(Action.START, 30_000)))
            .actual();
    assertThat(e.status()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("fenced");
    assertThat(e.getMessage()).contains("node-fence-b");
    assertThat(nodeA.liveQemuPids()).isEmpty();

    a.putLease(vm, 2);
    VmInfo started = a.action(vm, VmAction.of(Action.START, 30_000));
    assertThat(started.state()).isEqualTo("running");
    a.action(vm, VmAction.of(Action.STOP, 2_000));
    a.deleteVm(vm);
    assertThat(b.getLease(vm)).as("the VM's delete gave this node's lease up").isEmpty();
    a.deleteDisk("local", disk);
  }

  @Test
  void aPassKillsAndUndefinesOnlyTheVmsLeasedElsewhere() throws Exception {
    AgentClient a = nodeA.client();
    AgentClient b = nodeB.client();
    String bridge = TestNode.name("vbt");
    String tap = TestNode.name("vtt");
    a.putBridge(bridge);
    a.putTap(tap, new TapSpec(bridge));

    // evacuated to B: running, on a shared disk and a tap; and one that was not running
    String gone = "vm-" + TestNode.hex(3);
    String goneDisk = "d-" + TestNode.hex(3);
    a.putDisk("shared", goneDisk, DiskSpec.ofMib(16));
    a.putVm(gone, config("shared", goneDisk, List.of(new VmNic(tap, mac()))));
    long gonePid = a.action(gone, VmAction.of(Action.START, 30_000)).pid();
    String stopped = "vm-" + TestNode.hex(3);
    String stoppedDisk = "d-" + TestNode.hex(3);
    a.putDisk("shared", stoppedDisk, DiskSpec.ofMib(16));
    a.putVm(stopped, config("shared", stoppedDisk, List.of()));

    // staying: A's own lease, no lease at all, and a migration target waiting for its stream
    String own = "vm-" + TestNode.hex(3);
    String free = "vm-" + TestNode.hex(3);
    String incoming = "vm-" + TestNode.hex(3);
    for (String vm : List.of(own, free, incoming)) {
      String disk = "d-" + vm;
      a.putDisk("shared", disk, DiskSpec.ofMib(16));
      a.putVm(vm, config("shared", disk, List.of()));
    }
    a.putLease(own, 1);
    long ownPid = a.action(own, VmAction.of(Action.START, 30_000)).pid();
    long freePid = a.action(free, VmAction.of(Action.START, 30_000)).pid();
    VmInfo target = a.startIncoming(incoming, new IncomingSpec("127.0.0.1", TestNode.freePort()));
    assertThat(target.state()).isEqualTo("inmigrate");

    for (String vm : List.of(gone, stopped, incoming)) {
      b.putLease(vm, 1);
    }
    Instant before = Instant.now();
    FencingReport report = a.fence();
    Instant after = Instant.now();

    assertThat(report.fenced()).extracting(FencedVm::vmId).containsExactlyInAnyOrder(gone, stopped);
    for (FencedVm fenced : report.fenced()) {
      assertThat(fenced.leaseNodeId()).isEqualTo("node-fence-b");
      assertThat(fenced.leaseGeneration()).isEqualTo(1);
      assertThat(fenced.qemuWasRunning()).isEqualTo(fenced.vmId().equals(gone));
      assertThat(fenced.at()).isBetween(before, after);
    }
    assertThat(ProcFs.alive(gonePid)).as("QEMU killed").isFalse();
    for (String vm : List.of(gone, stopped)) {
      assertThat(a.getVm(vm)).isEmpty();
      assertThat(Files.exists(nodeA.stateDir.resolve("vms").resolve(vm))).isFalse();
    }
    assertThat(Links.exists(tap)).as("the fenced VM's tap").isFalse();
    for (String disk : List.of(goneDisk, stoppedDisk)) {
      assertThat(Files.exists(shared.resolve(disk + ".qcow2"))).as("disks are kept").isTrue();
      assertThat(b.getDisk("shared", disk)).isPresent();
    }

    assertThat(a.getVm(own).orElseThrow().pid()).isEqualTo(ownPid);
    assertThat(a.getVm(free).orElseThrow().pid()).isEqualTo(freePid);
    assertThat(a.getVm(incoming).orElseThrow().state()).isEqualTo("inmigrate");
    for (long pid : List.of(ownPid, freePid, target.pid())) {
      assertThat(nodeA.isOurQemu(pid)).isTrue();
    }

    assertThat(a.fencing().fenced()).containsExactlyInAnyOrderElementsOf(report.fenced());
    assertThat(a.fence().fenced()).as("a second pass finds nothing").isEmpty();
    assertThat(scrape(nodeA))
        .contains("vmsaga_agent_fenced_vms_total{node_id=\"node-fence-a\"} 2.0");
    assertThat(scrape(nodeB))
        .contains("vmsaga_agent_fenced_vms_total{node_id=\"node-fence-b\"} 0.0");

    for (String vm : List.of(own, free, incoming)) {
      a.action(vm, VmAction.of(Action.STOP, 2_000));
      a.deleteVm(vm);
      a.deleteDisk("shared", "d-" + vm);
    }
    for (String vm : List.of(gone, stopped, incoming)) {
      b.deleteLease(vm, 1);
    }
    a.deleteDisk("shared", goneDisk);
    a.deleteDisk("shared", stoppedDisk);
    a.deleteBridge(bridge);
    assertThat(nodeA.liveQemuPids()).isEmpty();
    assertThat(b.getLease(own)).as("deleting the VM gave A's lease up").isEmpty();
  }

  /**
   * The agent is down while the control plane moves its VM to B; the new agent fences the VM before
   * it answers anything.
   */
  @Test
  void theStartUpPassFencesBeforeTheAgentAnswers() throws Exception {
    try (TestNode node = TestNode.subprocess("node-fence-s", shared)) {
      AgentClient s = node.client();
      String bridge = TestNode.name("vbt");
      String tap = TestNode.name("vtt");
      String vm = "vm-" + TestNode.hex(3);
      String disk = "d-" + TestNode.hex(3);
      s.putBridge(bridge);
      s.putTap(tap, new TapSpec(bridge));
      s.putDisk("shared", disk, DiskSpec.ofMib(16));
      s.putVm(vm, config("shared", disk, List.of(new VmNic(tap, mac()))));
      long qemu = s.action(vm, VmAction.of(Action.START, 30_000)).pid();
      s.putLease(vm, 1);

      node.killAgent();
      assertThat(node.isOurQemu(qemu)).as("QEMU outlives its agent").isTrue();
      nodeB.client().putLease(vm, 2);
      node.startSubprocess();
      assertThat(ProcFs.alive(qemu)).as("gone by the first answer").isFalse();

      FencingReport fenced = node.client().fencing();
      assertThat(fenced.fenced()).hasSize(1);
      FencedVm only = fenced.fenced().get(0);
      assertThat(only.vmId()).isEqualTo(vm);
      assertThat(only.leaseNodeId()).isEqualTo("node-fence-b");
      assertThat(only.leaseGeneration()).isEqualTo(2);
      assertThat(only.qemuWasRunning()).isTrue();
      assertThat(node.client().getVm(vm)).isEmpty();
      assertThat(Files.exists(node.stateDir.resolve("vms").resolve(vm))).isFalse();
      assertThat(Links.exists(tap)).isFalse();
      assertThat(Files.exists(shared.resolve(disk + ".qcow2"))).isTrue();
      assertThat(node.liveQemuPids()).isEmpty();

      nodeB.client().deleteLease(vm, 2);
      node.client().deleteDisk("shared", disk);
      node.client().deleteBridge(bridge);
    }
  }

  private static VmConfig config(String pool, String disk, List<VmNic> nics) {
    return new VmConfig(
        "fence", 1, 1, 128L, null, null, List.of(new VmDisk(pool, disk)), nics, null);
  }

  private static String mac() {
    return "52:54:00:" + LifecycleTest.mac3();
  }

  private static String scrape(TestNode node) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(node.baseUri() + "/metrics"))
            .header("Authorization", "Bearer " + node.token)
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }
}
