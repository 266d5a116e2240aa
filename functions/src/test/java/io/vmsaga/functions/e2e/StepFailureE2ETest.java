package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.create.CreateVmSaga;
import io.vmsaga.functions.create.TestPlans;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.dtm.Transaction;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each of the seven createVm steps fails — as a business failure (409 before its effect), as a
 * crash (its effect done, then 500, every time) and, for one step, as a hang past DTM's request
 * timeout — and the saga must end failed with every compensation succeeded and nothing of the VM
 * left anywhere.
 */
class StepFailureE2ETest {
  @org.junit.jupiter.api.AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  /** The saga's own table names the steps, and which of them run side by side. */
  static final Saga CREATE =
      CreateVmSaga.of("n", TestPlans.fromLocalImage(), java.time.Duration.ofMinutes(1));

  static final List<String> STEPS = CREATE.actions();

  static Stream<Arguments> faults() {
    return Stream.concat(
        STEPS.stream()
            .flatMap(step -> Stream.of(Arguments.of(step, "fail"), Arguments.of(step, "crash"))),
        Stream.of(Arguments.of("startQemu", "hang")));
  }

  @ParameterizedTest(name = "{1} at {0}")
  @MethodSource("faults")
  void aFailingStepIsCompensatedAndLeavesNothing(String step, String kind) {
    var tenant = newTenant(5, 8, 4096);
    // from the test guest image on the node's local pool: the image steps take part too
    var request = vm("f-" + kind, "nodeId", "node-2", "imageId", tinyImage());

    var reply = call("createVm", withFaults(tenant.token(), Map.of(step, kind), 6), "", request);

    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(409);
    assertThat(reply.text("code")).isEqualTo("create_failed");
    String vmId = reply.body().path("vm").path("vmId").asString();
    String gid = reply.body().path("vm").path("gid").asString();
    Transaction saga = awaitSaga(gid, java.time.Duration.ofSeconds(60));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    // DTM compensates every step that started (those before the failed one, those beside it and
    // the failed one itself), in reverse order; the steps after it never started and their
    // compensations are never called
    List<String> started = CREATE.startedWith(step);
    var compensations = saga.branches().stream().filter(b -> b.op().equals("compensate")).toList();
    assertThat(compensations).hasSize(STEPS.size());
    for (var branch : compensations) {
      String action = STEPS.get(Integer.parseInt(branch.branchId()) - 1);
      assertThat(branch.status())
          .as("compensation of step " + branch.branchId() + " (" + action + ")")
          .isEqualTo(started.contains(action) ? "succeed" : "prepared");
    }
    assertNothingLeft(vmId, tenant.id());
  }
}
