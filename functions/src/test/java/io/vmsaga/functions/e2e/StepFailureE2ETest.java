package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

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

  static final List<String> STEPS =
      List.of(
          "reserveResources",
          "createDisk",
          "createNic",
          "writeVmConfig",
          "startQemu",
          "verifyQmp",
          "recordVmRunning");

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
    var request = vm("f-" + kind, "nodeId", "node-2");
    request.put("faults", Map.of(step, kind));
    request.put("timeoutToFailSeconds", 6);

    var reply = call("createVm", tenant.token(), request);

    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(409);
    assertThat(reply.text("code")).isEqualTo("create_failed");
    String vmId = reply.body().path("vm").path("vmId").asString();
    String gid = reply.body().path("vm").path("gid").asString();
    Transaction saga = awaitSaga(gid, java.time.Duration.ofSeconds(60));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    int failedAt = STEPS.indexOf(step);
    for (var branch : saga.branches()) {
      int index = Integer.parseInt(branch.branchId()) - 1;
      if (branch.op().equals("compensate") && index < failedAt) {
        assertThat(branch.status())
            .as("compensation of step " + branch.branchId())
            .isEqualTo("succeed");
      }
    }
    assertNothingLeft(vmId, tenant.id());
  }
}
