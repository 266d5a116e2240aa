package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stuck states settle: a VM held by a saga DTM does not know (here, a migrateVm trigger that died
 * between taking the VM and submitting its saga) or reports finished is given back in the state its
 * node reports; a VM whose saga DTM still runs is left to that saga.
 */
class StuckVmE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void aVmHeldByASagaNobodyRunsIsSettledAsItsNodeReports() throws Exception {
    Tenant tenant = newTenant(4, 4, 1024);
    String alive = created(tenant, "stuck-alive");
    String dead = created(tenant, "stuck-dead");
    String ended = created(tenant, "owned-by-ended");
    String moving = MigrationE2ETest.create(tenant, "owned-by-live", 256);
    String aliveGid = strandAsIfMigrating(alive);
    String deadGid = strandAsIfMigrating(dead);
    for (long pid : processesMentioning(dead)) {
      new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
    }
    // a saga DTM reports finished (the VM's own create), as if stopped by hand in its admin UI
    String endedGid = strings("SELECT last_gid FROM vm WHERE id = ?", ended).get(0);
    strand(ended, endedGid);
    // a saga DTM still runs (a live migration paused before awaiting QEMU): never the sweeper's
    var migrated =
        call(
            "migrateVm",
            withFaults(tenant.token(), Map.of("awaitMigration", "slow"), null),
            "",
            Map.of("vmId", moving, "targetNodeId", "node-2"));
    String liveGid = migrated.text("gid");
    awaitBranch(liveGid, "04");
    execute(
        "UPDATE vm SET updated_at = CURRENT_TIMESTAMP(3) - INTERVAL 5 MINUTE WHERE id = ?", moving);
    assertThat(call("pauseVm", tenant.token(), Map.of("vmId", alive)).status())
        .as("stuck: direct operations are refused")
        .isEqualTo(409);

    var reply = call("settleStuckVms", ADMIN, Map.of());
    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    assertThat(saga(liveGid).status()).as("settled while the move ran").isEqualTo("submitted");

    assertThat(reply.body().path("settled").toString())
        .contains(alive, dead, ended)
        .doesNotContain(moving);
    assertThat(row(alive)).isEqualTo("running - failed");
    assertThat(row(dead)).as("its QEMU died: stopped").isEqualTo("stopped - failed");
    assertThat(row(ended)).isEqualTo("running - failed");
    for (String gid : new String[] {aliveGid, deadGid}) {
      assertThat(strings("SELECT CONCAT(outcome, ': ', note) FROM migration WHERE gid = ?", gid))
          .singleElement()
          .asString()
          .startsWith("failed: its saga ended without giving the VM back");
    }
    assertThat(call("pauseVm", tenant.token(), Map.of("vmId", alive)).status())
        .as("settled: direct operations work again")
        .isEqualTo(200);
    assertThat(call("startVm", tenant.token(), Map.of("vmId", dead)).status()).isEqualTo(200);
    assertThat(awaitSaga(liveGid, java.time.Duration.ofSeconds(90)).status())
        .as("the live saga finished on its own")
        .isEqualTo("succeed");
    assertThat(call("getVm", tenant.token(), Map.of("vmId", moving)).text("nodeId"))
        .isEqualTo("node-2");
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
    strand(vmId, gid);
    return gid;
  }

  /** The VM held by {@code gid}, as a move would hold it, for five minutes now. */
  static void strand(String vmId, String gid) {
    execute(
        "UPDATE vm SET owner_gid = ?, state = 'migrating',"
            + " updated_at = CURRENT_TIMESTAMP(3) - INTERVAL 5 MINUTE WHERE id = ?",
        gid,
        vmId);
  }

  static String row(String vmId) {
    return strings(
            "SELECT CONCAT_WS(' ', state, COALESCE(owner_gid, '-'), last_outcome) FROM vm WHERE id = ?",
            vmId)
        .get(0);
  }
}
