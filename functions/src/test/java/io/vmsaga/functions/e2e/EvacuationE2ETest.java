package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Disaster recovery. A third node's agent and QEMU processes are SIGKILLed (the node dies); it goes
 * down within the configured time; evacuateNode rebuilds its shared-disk guest on another node (the
 * guest boots from the same disk: what it wrote before is there) and marks its local-disk VM lost.
 * Then the dead node comes back with a leftover QEMU of the evacuated VM in that VM's place: its
 * agent fences it at start-up, and no poll of the nodes ever sees the VM run on two of them.
 */
class EvacuationE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");
  static final String NODE = "node-3";
  static final int MORE_SHARED = 4;

  @BeforeEach
  void startThirdNode() throws Exception {
    run(NodeLifecycleE2ETest.root("scripts/dev"), "agent", "start", NODE, "7703");
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (NodeLifecycleE2ETest.node(NODE) != null && !answers(NODE)) {
      // a failure while the node was dead: back, so the VMs on it can be deleted
      run(NodeLifecycleE2ETest.root("scripts/dev"), "agent", "start", NODE, "7703");
      NodeHealthE2ETest.awaitHealth(NODE, "up", Duration.ofSeconds(30), System.nanoTime());
    }
    deleteTestVms();
    if (NodeLifecycleE2ETest.node(NODE) != null) {
      call("undrainNode", ADMIN, Map.of("nodeId", NODE));
      call("drainNode", ADMIN, Map.of("nodeId", NODE, "awaitResult", true));
      call("removeNode", ADMIN, Map.of("nodeId", NODE));
    }
    run(NodeLifecycleE2ETest.root("scripts/dev"), "agent", "stop", NODE);
  }

  @Test
  void aDeadNodesSharedDiskVmsAreRebuiltElsewhereAndItsReturnIsFenced() throws Exception {
    var tenant = newTenant(2 + MORE_SHARED, 8, 2048);
    var guest = GuestE2ETest.boot(tenant, "dr-shared", NODE, true);
    assertThat(GuestProbe.get(guest.address(), "/files/note")).hasValue("kept-across-moves\n");
    String bootId = guest.status().path("bootId").asString();
    var local = call("createVm", tenant.token(), vm("dr-local", "nodeId", NODE));
    assertThat(local.status()).as(local.body().toString()).isEqualTo(200);
    String localId = local.text("vmId");
    // more VMs on shared disks (running, no image): the evacuation's count and time
    List<String> dead = new ArrayList<>(List.of(guest.vmId(), localId));
    for (int i = 0; i < MORE_SHARED; i++) {
      var more =
          call(
              "createVm",
              tenant.token(),
              with(vm("dr-more-" + i, "nodeId", NODE), "sharedStorage", true));
      assertThat(more.status()).as(more.body().toString()).isEqualTo(200);
      dead.add(more.text("vmId"));
    }

    // the node dies: its agent and every QEMU of it SIGKILLed
    kill("agent-" + NODE);
    for (String vmId : dead) {
      for (long pid : processesMentioning("guest=" + vmId)) {
        new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
      }
    }
    long died = System.nanoTime();
    long downMs = NodeHealthE2ETest.awaitHealth(NODE, "down", Duration.ofSeconds(90), died);
    var early = call("evacuateNode", ADMIN, Map.of("nodeId", "node-1"));
    assertThat(early.text("code")).as("a live node is not evacuated").isEqualTo("node_not_down");

    long evacuating = System.nanoTime();
    var evacuated = call("evacuateNode", ADMIN, Map.of("nodeId", NODE, "awaitResult", true));
    long evacuateMs = (System.nanoTime() - evacuating) / 1_000_000;
    assertThat(evacuated.status()).as(evacuated.body().toString()).isEqualTo(200);
    var report = evacuated.body();
    assertThat(report.path("rebuilt")).hasSize(1 + MORE_SHARED);
    report
        .path("rebuilt")
        .forEach(
            r -> assertThat(r.path("status").asString()).as(r.toString()).isEqualTo("succeed"));
    for (String vmId : dead.subList(2, dead.size())) {
      var rebuilt = call("getVm", tenant.token(), Map.of("vmId", vmId)).body();
      assertThat(rebuilt.path("nodeId").asString()).isIn("node-1", "node-2");
      assertThat(rebuilt.path("state").asString()).isEqualTo("running");
    }
    assertThat(report.path("lost")).hasSize(1);
    assertThat(report.path("lost").get(0).path("vmId").asString()).isEqualTo(localId);

    var view = call("getVm", tenant.token(), Map.of("vmId", guest.vmId())).body();
    String newNode = view.path("nodeId").asString();
    assertThat(newNode).isIn("node-1", "node-2");
    assertThat(view.path("state").asString()).isEqualTo("running");
    var rebooted =
        GuestProbe.awaitStatus(
            guest.address(), GuestE2ETest.BOOT, s -> !s.path("bootId").asString().equals(bootId));
    long backMs = (System.nanoTime() - evacuating) / 1_000_000;
    assertThat(rebooted.path("hostname").asString()).isEqualTo("dr-shared");
    assertThat(GuestProbe.get(guest.address(), "/files/note"))
        .as("booted from the same disk")
        .hasValue("kept-across-moves\n");
    var lost = call("getVm", tenant.token(), Map.of("vmId", localId));
    assertThat(lost.text("state")).isEqualTo("lost");
    assertThat(lost.text("lostReason")).contains("local disk", NODE);
    assertThat(agent(newNode).getLease(guest.vmId()).orElseThrow().nodeId()).isEqualTo(newNode);

    // the dead node comes back with a leftover QEMU of the evacuated VM in that VM's place
    long leftover = leftoverQemu(guest.vmId());
    var twice = new AtomicInteger();
    var polls = new AtomicInteger();
    var polling = new AtomicBoolean(true);
    var poller =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (polling.get()) {
                    int running = 0;
                    for (String node : List.of("node-1", "node-2", NODE)) {
                      running += runsOn(node, guest.vmId()) ? 1 : 0;
                    }
                    polls.incrementAndGet();
                    if (running > 1) {
                      twice.incrementAndGet();
                    }
                    sleep(100);
                  }
                });
    long restarted = System.nanoTime();
    run(NodeLifecycleE2ETest.root("scripts/dev"), "agent", "start", NODE, "7703");
    long fencedMs = (System.nanoTime() - restarted) / 1_000_000;
    assertThat(alive(leftover))
        .as("the leftover QEMU was stopped by the agent's start-up fencing")
        .isFalse();
    var fencing = agent(NODE).fencing().fenced();
    assertThat(fencing).anyMatch(f -> f.vmId().equals(guest.vmId()));
    NodeHealthE2ETest.awaitHealth(NODE, "up", Duration.ofSeconds(30), System.nanoTime());
    sleep(1000);
    polling.set(false);
    poller.join();
    assertThat(polls.get()).isGreaterThan(10);
    assertThat(twice.get()).as("polls that saw the VM run on two nodes").isZero();
    assertThat(NodeLifecycleE2ETest.node(NODE).path("status").asString())
        .as("an evacuated node takes no VM until undrainNode")
        .isEqualTo("evacuated");
    assertThat(GuestProbe.status(guest.address()))
        .as("the rebuilt guest still answers")
        .isPresent();
    System.out.printf(
        "%s died: down after %d ms; evacuateNode of %d shared-disk VMs (+1 lost) %d ms,"
            + " guest answering %d ms after the call; agent back in %d ms with the leftover QEMU"
            + " fenced; %d polls of 3 nodes, none saw the VM twice%n",
        NODE, downMs, 1 + MORE_SHARED, evacuateMs, backMs, fencedMs, polls.get());
  }

  @Test
  void aNodeSetToEvacuateByItselfDoesSoOnceDown() throws Exception {
    var registered =
        call(
            "registerNode",
            ADMIN,
            Map.of(
                "nodeId",
                NODE,
                "agentUrl",
                "http://127.0.0.1:7703",
                "cpuOvercommit",
                4.0,
                "autoEvacuate",
                true));
    assertThat(registered.status()).as(registered.body().toString()).isEqualTo(200);
    var tenant = newTenant(2, 2, 512);
    var vm =
        call(
            "createVm", tenant.token(), with(vm("auto-dr", "nodeId", NODE), "sharedStorage", true));
    assertThat(vm.status()).as(vm.body().toString()).isEqualTo(200);
    String vmId = vm.text("vmId");

    kill("agent-" + NODE);
    for (long pid : processesMentioning("guest=" + vmId)) {
      new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
    }
    long died = System.nanoTime();
    String node = NODE;
    while (node.equals(NODE) && System.nanoTime() - died < Duration.ofSeconds(120).toNanos()) {
      sleep(500);
      node = call("getVm", tenant.token(), Map.of("vmId", vmId)).text("nodeId");
    }
    long movedMs = (System.nanoTime() - died) / 1_000_000;
    assertThat(node).as("rebuilt elsewhere without an evacuateNode call").isIn("node-1", "node-2");
    NodeLifecycleE2ETest.node(NODE);
    assertThat(NodeLifecycleE2ETest.node(NODE).path("status").asString()).isEqualTo("evacuated");
    settledRunning(tenant, vmId);
    System.out.printf(
        "%s died with autoEvacuate: its VM ran on %s %d ms later%n", NODE, node, movedMs);
  }

  static void settledRunning(Tenant tenant, String vmId) {
    for (int i = 0; i < 120; i++) {
      var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
      if ("running".equals(view.text("state"))) {
        return;
      }
      sleep(250);
    }
    throw new AssertionError(vmId + " not running after its rebuild");
  }

  static boolean answers(String node) {
    try (var agent = agent(node).withTimeout(Duration.ofSeconds(2))) {
      agent.health();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Whether the node's agent reports the VM's QEMU as running; false when it does not answer. */
  static boolean runsOn(String node, String vmId) {
    try (var agent = agent(node).withTimeout(Duration.ofSeconds(2))) {
      return agent.status(vmId).running();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * A QEMU in the VM's place on the dead node, as its agent would find it: its pidfile and QMP
   * socket, started frozen (-S) and without the VM's disks (the rebuilt QEMU holds their locks, and
   * writing them from two hosts is exactly what fencing prevents).
   */
  static long leftoverQemu(String vmId) throws Exception {
    Path state = Path.of(env("VMSAGA_HOME"), "nodes", NODE, "state", "vms", vmId);
    Path socket = Path.of("/run/vmsaga", NODE, vmId + ".sock");
    Files.deleteIfExists(socket);
    List<String> argv =
        new ArrayList<>(
            List.of(
                "qemu-system-x86_64",
                "-name",
                "guest=" + vmId,
                "-S",
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-machine",
                "q35,accel=tcg",
                "-qmp",
                "unix:" + socket + ",server=on,wait=off",
                "-pidfile",
                state.resolve("qemu.pid").toString(),
                "-daemonize"));
    var qemu = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(qemu.getInputStream().readAllBytes());
    assertThat(qemu.waitFor()).as(output).isZero();
    long pid = Long.parseLong(Files.readString(state.resolve("qemu.pid")).trim());
    assertThat(alive(pid)).isTrue();
    return pid;
  }
}
