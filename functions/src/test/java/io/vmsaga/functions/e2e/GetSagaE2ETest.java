package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * getSaga: a saga's steps by name for the tenant whose VM it touched and for administrators; 404
 * for anyone else, and for a gid DTM does not know.
 */
class GetSagaE2ETest {
  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void theOwnerAndAdministratorsSeeTheStepsOthersSeeNothing() {
    var owner = newTenant(2, 2, 512);
    var stranger = newTenant(1, 1, 256);
    var created = call("createVm", owner.token(), vm("saga-view"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String gid = created.text("gid");

    var seen = call("getSaga", owner.token(), Map.of("gid", gid));
    assertThat(seen.status()).as(seen.body().toString()).isEqualTo(200);
    assertThat(seen.text("status")).isEqualTo("succeed");
    assertThat(seen.body().path("stepCount").asInt()).isEqualTo(CREATE_STEPS);
    assertThat(actions(seen.body())).isEqualTo(CREATE_ACTIONS);
    assertThat(seen.body().path("steps").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(seen.text("dtmUrl")).endsWith("/admin/global-transactions/detail/" + gid);
    assertThat(seen.body().path("reason").isNull()).isTrue();
    assertThat(call("getSaga", env("VMSAGA_ADMIN_TOKEN"), Map.of("gid", gid)).status())
        .isEqualTo(200);

    var foreign = call("getSaga", stranger.token(), Map.of("gid", gid));
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.text("code")).isEqualTo("not_found");
    var unknown = call("getSaga", env("VMSAGA_ADMIN_TOKEN"), Map.of("gid", "no-such-saga-1"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo(foreign.body());
    assertThat(call("getSaga", owner.token(), Map.of("gid", "../x")).status()).isEqualTo(400);
    assertThat(call("getSaga", null, Map.of("gid", gid)).status()).isEqualTo(401);

    // the delete saga is the owner's while it runs and the VM's record names it
    var deleting =
        call("deleteVm", owner.token(), Map.of("vmId", created.text("vmId"), "awaitResult", false));
    String deleteGid = deleting.text("gid");
    assertThat(call("getSaga", stranger.token(), Map.of("gid", deleteGid)).status()).isEqualTo(404);
    awaitSaga(deleteGid, java.time.Duration.ofSeconds(60));
    var deleted = call("getSaga", env("VMSAGA_ADMIN_TOKEN"), Map.of("gid", deleteGid));
    assertThat(deleted.body().path("stepCount").asInt()).isEqualTo(DELETE_STEPS);
  }

  @Test
  void aFailedSagaNamesTheFailingStepsReasonAndItsCompensations() {
    var tenant = newTenant(1, 1, 256);
    var failed =
        call(
            "createVm",
            withFaults(tenant.token(), Map.of("writeVmConfig", "fail"), 20),
            "",
            vm("saga-fail"));
    assertThat(failed.status()).as(failed.body().toString()).isEqualTo(409);
    String gid = failed.body().path("vm").path("gid").asString();

    var seen = call("getSaga", env("VMSAGA_ADMIN_TOKEN"), Map.of("gid", gid));
    assertThat(seen.text("status")).isEqualTo("failed");
    assertThat(seen.body().path("reason").path("code").asString()).isEqualTo("injected_failure");
    List<String> failedSteps = new ArrayList<>();
    List<String> compensated = new ArrayList<>();
    for (JsonNode step : seen.body().path("steps")) {
      if (step.path("status").asString().equals("failed")) {
        failedSteps.add(step.path("name").asString());
      }
      if (step.path("op").asString().equals("compensate")
          && step.path("status").asString().equals("succeed")) {
        compensated.add(step.path("name").asString());
      }
    }
    assertThat(failedSteps).containsExactly("writeVmConfig");
    assertThat(compensated).contains("releaseResources");
    // rolled back, the VM is gone: the tenant has no record that names the saga any more
    assertThat(call("getSaga", tenant.token(), Map.of("gid", gid)).status()).isEqualTo(404);
  }

  private static List<String> actions(JsonNode saga) {
    List<String> names = new ArrayList<>();
    saga.path("steps")
        .forEach(
            s -> {
              if (s.path("op").asString().equals("action")) {
                names.add(s.path("name").asString());
              }
            });
    return names;
  }
}
