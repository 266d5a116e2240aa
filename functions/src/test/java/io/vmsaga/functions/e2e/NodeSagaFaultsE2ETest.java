package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.dtm.Transaction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The node sagas failed at each step, as a business failure (before the step's effect) and as a
 * crash (after it, every call, until the saga's timeout): a drain ends with its node back in
 * service — or, failed past its pivot, drained —, an evacuation with the VM where it was,
 * untouched, or — past its pivot — rebuilt on its new node with lease and records there. Accounting
 * stays exact. A third node takes the VMs: up for the drains, then dead for the evacuations.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeSagaFaultsE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");
  static final String NODE = "node-3";
  static final List<String> DRAIN_STEPS = List.of("markNodeDraining", "driveDrain", "finishDrain");
  static final List<String> EVACUATE_STEPS =
      List.of(
          "reserveMigrationTarget",
          "takeVmLease",
          "rebuildVm",
          "updateVmNode",
          "releaseSourceReservation");
  static final int PIVOT = EVACUATE_STEPS.indexOf("rebuildVm");

  static Tenant tenant;
  static final Deque<String> stoppedOnDeadNode = new ArrayDeque<>();

  @BeforeAll
  static void thirdNode() throws Exception {
    run(NodeLifecycleE2ETest.root("scripts/dev"), "agent", "start", NODE, "7703");
    // room for the drains' VMs that stay and the evacuations' ten
    var registered =
        call(
            "registerNode",
            ADMIN,
            Map.of("nodeId", NODE, "agentUrl", "http://127.0.0.1:7703", "cpuOvercommit", 16.0));
    assertThat(registered.status()).as(registered.body().toString()).isEqualTo(200);
    tenant = newTenant(20, 20, 4096);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (!EvacuationE2ETest.answers(NODE)) {
      run(NodeLifecycleE2ETest.root("scripts/dev"), "agent", "start", NODE, "7703");
      NodeHealthE2ETest.awaitHealth(NODE, "up", Duration.ofSeconds(30), System.nanoTime());
    }
    deleteTestVms();
    call("undrainNode", ADMIN, Map.of("nodeId", NODE));
    call("drainNode", ADMIN, Map.of("nodeId", NODE, "awaitResult", true));
    call("removeNode", ADMIN, Map.of("nodeId", NODE));
    run(NodeLifecycleE2ETest.root("scripts/dev"), "agent", "stop", NODE);
  }

  static Stream<Arguments> drainFaults() {
    return DRAIN_STEPS.stream()
        .flatMap(step -> Stream.of(Arguments.of(step, "fail"), Arguments.of(step, "crash")));
  }

  @Order(1)
  @ParameterizedTest(name = "drainNode: {1} at {0}")
  @MethodSource("drainFaults")
  void aFailedDrainPutsTheNodeBackInService(String step, String kind) {
    call("undrainNode", ADMIN, Map.of("nodeId", NODE));
    // one VM on the node, so that the drain's moves end well within the saga's timeout
    for (String left : strings("SELECT id FROM vm WHERE node_id = ?", NODE)) {
      call("deleteVm", tenant.token(), Map.of("vmId", left, "awaitResult", true));
    }
    var vm = call("createVm", tenant.token(), vm("drain-" + step + "-" + kind, "nodeId", NODE));
    assertThat(vm.status()).as(vm.body().toString()).isEqualTo(200);

    var reply =
        call(
            "drainNode",
            withFaults(ADMIN, Map.of(step, kind), 15),
            "",
            Map.of("nodeId", NODE, "awaitResult", true));

    String gid =
        reply.body().path("gid").asString(reply.body().path("drain").path("gid").asString());
    Transaction saga = awaitSaga(gid, Duration.ofSeconds(60));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    settled(vm.text("vmId"));
    String status = NodeLifecycleE2ETest.node(NODE).path("status").asString();
    if (step.equals("finishDrain") && kind.equals("crash")) {
      // the pivot's effect stands: the node is drained, its VM moved
      assertThat(status).isEqualTo("drained");
      assertThat(nodeOf(vm.text("vmId"))).isNotEqualTo(NODE);
    } else {
      assertThat(status).as("back in service").isEqualTo("active");
    }
    if (!step.equals("finishDrain") && !(step.equals("driveDrain") && kind.equals("crash"))) {
      assertThat(nodeOf(vm.text("vmId"))).as("no move started").isEqualTo(NODE);
    }
    assertAccountingExact(tenant.id());
  }

  static Stream<Arguments> evacuateFaults() {
    return EVACUATE_STEPS.stream()
        .flatMap(step -> Stream.of(Arguments.of(step, "fail"), Arguments.of(step, "crash")));
  }

  @Order(2)
  @ParameterizedTest(name = "evacuateVm: {1} at {0}")
  @MethodSource("evacuateFaults")
  void aFailedRebuildLeavesTheVmWhereItWasOrFinishesPastThePivot(String step, String kind)
      throws Exception {
    if (stoppedOnDeadNode.isEmpty() && EvacuationE2ETest.answers(NODE)) {
      killNodeWithStoppedVms(EVACUATE_STEPS.size() * 2);
    }
    String vmId = stoppedOnDeadNode.pop();

    var reply =
        call(
            "evacuateNode",
            withFaults(ADMIN, Map.of(step, kind), 6),
            "",
            Map.of("nodeId", NODE, "vmIds", List.of(vmId), "awaitResult", true));

    var report = reply.body().has("evacuation") ? reply.body().path("evacuation") : reply.body();
    assertThat(report.path("rebuilt")).as(reply.body().toString()).hasSize(1);
    String gid = report.path("rebuilt").get(0).path("gid").asString();
    String target = report.path("rebuilt").get(0).path("targetNodeId").asString();
    Transaction saga = awaitSaga(gid, Duration.ofSeconds(60));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    settled(vmId);
    boolean pastPivot =
        EVACUATE_STEPS.indexOf(step) > PIVOT
            || (EVACUATE_STEPS.indexOf(step) == PIVOT && kind.equals("crash"));
    var lease = agent(target).getLease(vmId);
    if (pastPivot) {
      assertThat(nodeOf(vmId)).as("finished forward").isEqualTo(target);
      assertThat(lease).isPresent();
      assertThat(lease.get().nodeId()).isEqualTo(target);
      assertThat(agent(target).getVm(vmId)).isPresent();
    } else {
      assertThat(nodeOf(vmId)).as("left where it was").isEqualTo(NODE);
      assertThat(lease.filter(l -> l.nodeId().equals(target))).as("no lease taken").isEmpty();
      assertThat(agent(target).getVm(vmId)).as("nothing defined on the target").isEmpty();
    }
    assertThat(number("SELECT COUNT(*) FROM vm WHERE id = ? AND state = 'stopped'", vmId))
        .isEqualTo(1);
    assertAccountingExact(tenant.id());
  }

  /** Stopped VMs on shared disks (no QEMU holds them), then the node's agent killed until down. */
  static void killNodeWithStoppedVms(int count) throws Exception {
    call("undrainNode", ADMIN, Map.of("nodeId", NODE));
    for (int i = 0; i < count; i++) {
      var vm =
          call(
              "createVm",
              tenant.token(),
              with(vm("evac-" + i, "nodeId", NODE), "sharedStorage", true));
      assertThat(vm.status()).as(vm.body().toString()).isEqualTo(200);
      var stopped =
          call("stopVm", tenant.token(), Map.of("vmId", vm.text("vmId"), "timeoutSeconds", 2));
      assertThat(stopped.status()).as(stopped.body().toString()).isEqualTo(200);
      stoppedOnDeadNode.add(vm.text("vmId"));
    }
    kill("agent-" + NODE);
    NodeHealthE2ETest.awaitHealth(NODE, "down", Duration.ofSeconds(90), System.nanoTime());
  }

  static String nodeOf(String vmId) {
    return strings("SELECT node_id FROM vm WHERE id = ?", vmId).get(0);
  }

  /** Until no saga owns the VM (a move the drain started finishes on its own). */
  static void settled(String vmId) {
    for (int i = 0; i < 240; i++) {
      if (number("SELECT COUNT(*) FROM vm WHERE id = ? AND owner_gid IS NULL", vmId) == 1) {
        return;
      }
      sleep(250);
    }
    throw new AssertionError(vmId + " still owned by a saga");
  }
}
