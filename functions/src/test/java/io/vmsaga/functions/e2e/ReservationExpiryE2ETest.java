package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A hold left by a saga that died is reclaimed after its expiry; a live saga's hold is not. */
class ReservationExpiryE2ETest {
  @org.junit.jupiter.api.AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void theHoldOfADeadSagaIsReclaimedAndAccountingIsExactAgain() {
    var tenant = newTenant(5, 8, 4096);
    String vmId = "vm-dead" + Long.toHexString(System.nanoTime()).substring(0, 9);
    String gid = "dead-" + vmId;
    // what reserveResources leaves when its saga is lost: a hold, moved counters, a creating record
    execute(
        "INSERT INTO reservation (id, gid, vm_id, tenant_id, node_id, vcpus, memory_mib, state, expires_at) "
            + "VALUES (?, ?, ?, ?, 'node-2', 1, 128, 'held', CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND)",
        gid,
        gid,
        vmId,
        tenant.id());
    execute(
        "UPDATE tenant SET used_vms = used_vms + 1, used_vcpus = used_vcpus + 1, used_memory_mib = used_memory_mib + 128 WHERE id = ?",
        tenant.id());
    execute(
        "UPDATE node SET committed_vcpus = committed_vcpus + 1, committed_memory_mib = committed_memory_mib + 128 WHERE id = 'node-2'");
    execute(
        "INSERT INTO vm (id, tenant_id, node_id, name, state, vcpus, max_vcpus, memory_mib, max_memory_mib, owner_gid) "
            + "VALUES (?, ?, 'node-2', 'lost', 'creating', 1, 1, 128, 128, ?)",
        vmId,
        tenant.id(),
        gid);
    assertAccountingExact(tenant.id());

    var reply = call("reclaimReservations", env("VMSAGA_ADMIN_TOKEN"), Map.of());

    assertThat(reply.status()).isEqualTo(200);
    // the web app's own 30-second timer may have reclaimed it a moment earlier: the end state is
    // what counts
    assertThat(reply.body().path("reclaimed").isArray()).isTrue();
    assertNothingLeft(vmId, tenant.id());
    assertThat(number("SELECT used_vms FROM tenant WHERE id = ?", tenant.id())).isZero();
  }

  @Test
  void theTargetHoldOfADeadMigrationGivesBackTheTargetsCapacityOnly() {
    var tenant = newTenant(5, 8, 4096);
    var created = call("createVm", tenant.token(), vm("stays", "nodeId", "node-1"));
    String vmId = created.text("vmId");
    String gid = "dead-migration-" + vmId;
    long before = number("SELECT committed_vcpus FROM node WHERE id = 'node-2'");
    // what reserveMigrationTarget leaves when its saga is lost: a second reservation on the target
    execute(
        "INSERT INTO reservation (id, gid, vm_id, tenant_id, node_id, vcpus, memory_mib, state, expires_at) "
            + "VALUES (?, ?, ?, ?, 'node-2', 1, 128, 'migrating', CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND)",
        gid,
        gid,
        vmId,
        tenant.id());
    execute(
        "UPDATE node SET committed_vcpus = committed_vcpus + 1, committed_memory_mib = committed_memory_mib + 128 WHERE id = 'node-2'");

    assertThat(call("reclaimReservations", env("VMSAGA_ADMIN_TOKEN"), Map.of()).status())
        .isEqualTo(200);

    assertThat(number("SELECT COUNT(*) FROM reservation WHERE id = ?", gid)).isZero();
    assertThat(number("SELECT committed_vcpus FROM node WHERE id = 'node-2'")).isEqualTo(before);
    assertThat(number("SELECT used_vms FROM tenant WHERE id = ?", tenant.id()))
        .as("quota untouched")
        .isEqualTo(1);
    assertAccountingExact(tenant.id());
    assertThat(processesMentioning(vmId)).as("the VM itself is left running").hasSize(1);
  }

  @Test
  void onlyAdministratorsMayRunIt() {
    var tenant = newTenant(1, 1, 128);
    assertThat(call("reclaimReservations", tenant.token(), Map.of()).status()).isEqualTo(403);
    assertThat(call("reclaimReservations", null, Map.of()).status()).isEqualTo(401);
  }
}
