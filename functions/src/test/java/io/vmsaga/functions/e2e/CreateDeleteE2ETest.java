package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.core.VmPlan;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * createVm and deleteVm on the real stack: a running QEMU with its disk and tap, then nothing at
 * all.
 */
class CreateDeleteE2ETest {
  @org.junit.jupiter.api.AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void createRunsTheVmAndDeleteLeavesNothing() {
    var tenant = newTenant(5, 8, 4096);

    var created = call("createVm", tenant.token(), vm("web-1", "nodeId", "node-1"));

    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String vmId = created.text("vmId");
    String gid = created.text("gid");
    var saga = saga(gid);
    assertThat(saga.status()).isEqualTo("succeed");
    assertThat(saga.count("action", "succeed")).isEqualTo(CREATE_STEPS);

    var agent = agent("node-1");
    assertThat(agent.getVm(vmId))
        .get()
        .satisfies(
            v -> {
              assertThat(v.state()).isEqualTo("running");
              assertThat(processesMentioning(vmId)).containsExactly(v.pid());
            });
    var nic = VmPlan.nicFor(vmId, "", "");
    assertThat(agent.getDisk("local", vmId + "-disk0")).isPresent();
    assertThat(agent.getTap(nic.tap()))
        .get()
        .satisfies(t -> assertThat(t.bridge()).isEqualTo(BRIDGE));
    assertThat(linkExists(nic.tap())).isTrue();

    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.status()).isEqualTo(200);
    assertThat(view.text("state")).isEqualTo("running");
    assertThat(view.text("nodeId")).isEqualTo("node-1");
    assertThat(view.text("lastGid")).isEqualTo(gid);
    assertThat(view.text("lastOutcome")).isEqualTo("succeed");
    assertThat(view.text("dtmUrl")).endsWith("/admin/global-transactions/detail/" + gid);
    assertThat(view.body().path("disks").get(0).path("pool").asString()).isEqualTo("local");
    assertThat(view.body().path("nics").get(0).path("mac").asString()).isEqualTo(nic.mac());
    assertThat(number("SELECT used_vms FROM tenant WHERE id = ?", tenant.id())).isEqualTo(1);
    assertAccountingExact(tenant.id());

    var deleted = call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));

    assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(200);
    assertThat(saga(deleted.text("gid")).count("action", "succeed")).isEqualTo(DELETE_STEPS);
    assertNothingLeft(vmId, tenant.id());
    assertThat(call("getVm", tenant.token(), Map.of("vmId", vmId)).status()).isEqualTo(404);
    assertThat(call("deleteVm", tenant.token(), Map.of("vmId", vmId)).status()).isEqualTo(404);
  }

  @Test
  void theSameIdempotencyKeyMakesOneVmAndOneSaga() {
    var tenant = newTenant(5, 8, 4096);
    var request = vm("idem", "idempotencyKey", "order-42");

    var first = call("createVm", tenant.token(), request);
    var second = call("createVm", tenant.token(), request);

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.text("gid")).isEqualTo(first.text("gid"));
    assertThat(second.text("vmId")).isEqualTo(first.text("vmId"));
    assertThat(number("SELECT COUNT(*) FROM vm WHERE tenant_id = ?", tenant.id())).isEqualTo(1);
    assertThat(processesMentioning(first.text("vmId"))).hasSize(1);

    call("deleteVm", tenant.token(), Map.of("vmId", first.text("vmId"), "awaitResult", true));
    assertNothingLeft(first.text("vmId"), tenant.id());
  }

  @Test
  void aSecondOperationOnAVmOwnedByASagaIsRefusedNamingTheSaga() {
    var tenant = newTenant(5, 8, 4096);
    var request = vm("busy");
    request.put("awaitResult", false);

    var created =
        call(
            "createVm", withFaults(tenant.token(), Map.of("startQemu", "slow"), null), "", request);
    assertThat(created.status()).isEqualTo(202);
    String vmId = created.text("vmId");
    String gid = created.text("gid");
    awaitRow(vmId);

    var refused = call("deleteVm", tenant.token(), Map.of("vmId", vmId));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text("code")).isEqualTo("busy");
    assertThat(refused.text("message")).contains(gid);
    assertThat(awaitSaga(gid, Duration.ofSeconds(30)).status()).isEqualTo("succeed");
    assertThat(call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true)).status())
        .isEqualTo(200);
    assertNothingLeft(vmId, tenant.id());
  }

  @Test
  void aTenantSeesOnlyItsOwnVms() {
    var owner = newTenant(5, 8, 4096);
    var other = newTenant(5, 8, 4096);
    var created = call("createVm", owner.token(), vm("mine"));
    String vmId = created.text("vmId");

    assertThat(call("getVm", other.token(), Map.of("vmId", vmId)).status()).isEqualTo(404);
    assertThat(call("deleteVm", other.token(), Map.of("vmId", vmId)).status()).isEqualTo(404);
    assertThat(call("listVms", other.token(), Map.of()).body().path("vms")).isEmpty();
    assertThat(
            call("listVms", owner.token(), Map.of())
                .body()
                .path("vms")
                .get(0)
                .path("id")
                .asString())
        .isEqualTo(vmId);
    assertThat(processesMentioning(vmId)).hasSize(1);

    call("deleteVm", owner.token(), Map.of("vmId", vmId, "awaitResult", true));
    assertNothingLeft(vmId, owner.id());
  }

  static void awaitRow(String vmId) {
    for (int i = 0; i < 100 && number("SELECT COUNT(*) FROM vm WHERE id = ?", vmId) == 0; i++) {
      sleep(50);
    }
  }
}
