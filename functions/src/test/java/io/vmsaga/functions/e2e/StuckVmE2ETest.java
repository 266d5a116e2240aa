package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stuck states settle: a VM held by a saga DTM does not know (here, a migrateVm trigger that died
 * between taking the VM and submitting its saga) is given back in the state its node reports; a VM
 * whose saga DTM knows is left to that saga.
 */
class StuckVmE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void aVmHeldByASagaNobodyRunsIsSettledAsItsNodeReports() throws Exception {
    Tenant tenant = newTenant(3, 3, 512);
    String alive = created(tenant, "stuck-alive");
    String dead = created(tenant, "stuck-dead");
    String known = created(tenant, "owned-by-known");
    String aliveGid = strandAsIfMigrating(alive);
    String deadGid = strandAsIfMigrating(dead);
    for (long pid : processesMentioning(dead)) {
      new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
    }
    // a gid DTM knows (the VM's own create saga): that saga's to settle, not the sweeper's
    String createGid = strings("SELECT last_gid FROM vm WHERE id = ?", known).get(0);
    execute(
        "UPDATE vm SET owner_gid = ?, state = 'migrating',"
            + " updated_at = CURRENT_TIMESTAMP(3) - INTERVAL 5 MINUTE WHERE id = ?",
        createGid,
        known);
    assertThat(call("stopVm", tenant.token(), Map.of("vmId", alive)).status())
        .as("stuck: direct operations are refused")
        .isEqualTo(409);

    var reply = call("settleStuckVms", ADMIN, Map.of());
    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);

    assertThat(reply.body().path("settled").toString()).contains(alive, dead).doesNotContain(known);
    assertThat(row(alive)).isEqualTo("running - failed");
    assertThat(row(dead)).as("its QEMU died: stopped").isEqualTo("stopped - failed");
    assertThat(strings("SELECT state FROM vm WHERE id = ?", known)).containsExactly("migrating");
    for (String gid : new String[] {aliveGid, deadGid}) {
      assertThat(strings("SELECT CONCAT(outcome, ': ', note) FROM migration WHERE gid = ?", gid))
          .singleElement()
          .asString()
          .startsWith("failed: its saga never ran");
    }
    assertThat(call("stopVm", tenant.token(), Map.of("vmId", alive)).status())
        .as("settled: direct operations work again")
        .isEqualTo(200);
    assertThat(call("startVm", tenant.token(), Map.of("vmId", dead)).status()).isEqualTo(200);
    execute("UPDATE vm SET owner_gid = NULL, state = 'running' WHERE id = ?", known);
    assertAccountingExact(tenant.id());
  }

  static String created(Tenant tenant, String name) {
    var reply = call("createVm", tenant.token(), with(vm(name), "nodeId", "node-1"));
    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    return reply.text("vmId");
  }

  /** What a migrateVm trigger leaves when it dies between taking the VM and submitting. */
  static String strandAsIfMigrating(String vmId) {
    String gid = "dead-" + UUID.randomUUID();
    execute(
        "INSERT INTO migration (gid, vm_id, kind, source_node_id, target_node_id)"
            + " VALUES (?, ?, 'live', 'node-1', 'node-2')",
        gid,
        vmId);
    execute(
        "UPDATE vm SET owner_gid = ?, state = 'migrating',"
            + " updated_at = CURRENT_TIMESTAMP(3) - INTERVAL 5 MINUTE WHERE id = ?",
        gid,
        vmId);
    return gid;
  }

  static String row(String vmId) {
    return strings(
            "SELECT CONCAT_WS(' ', state, COALESCE(owner_gid, '-'), last_outcome) FROM vm WHERE id = ?",
            vmId)
        .get(0);
  }
}
