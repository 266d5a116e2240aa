package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Migrating.onlyQemuOn;
import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.functions.migration.MigrationPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The orphan sweeper on the real stack: a stray QEMU, a disk and a tap that no record owns are
 * planted on node-1; the sweep quarantines them (the QEMU paused, nothing deleted), a sweep after
 * the grace removes them. Meanwhile a live migration is in flight, its target tap on node-2 named
 * by no NIC row yet: it is never touched, and the move finishes.
 */
class OrphanSweeperE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void orphansAreQuarantinedThenRemovedAndASagaInFlightIsNeverTouched() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    String moving = MigrationE2ETest.create(tenant, "orph-move", 256);
    var node1 = agent("node-1");
    String suffix = Long.toHexString(System.nanoTime()).substring(0, 7);
    String stray = "vm-stray" + suffix;
    String lostDisk = "vm-lost" + suffix + "-disk0";
    String tap = "vtorph" + suffix.substring(0, 6);
    node1.putVm(stray, new VmConfig("stray", 1, 1, 64L, 64L, 0, List.of(), List.of(), null));
    node1.action(stray, VmAction.of(VmAction.Action.START));
    node1.putDisk("local", lostDisk, DiskSpec.ofMib(64));
    node1.putTap(tap, new TapSpec(BRIDGE));
    assertThat(processesMentioning(stray)).hasSize(1);

    // the move pauses 2 s before awaiting QEMU: its target tap exists, no NIC row names it
    var migrated =
        call(
            "migrateVm",
            withFaults(tenant.token(), Map.of("awaitMigration", "slow"), null),
            "",
            Map.of("vmId", moving, "targetNodeId", "node-2"));
    String gid = migrated.text("gid");
    awaitBranch(gid, "04");
    String targetTap = MigrationPlan.tapOn(moving, "node-2");
    assertThat(agent("node-2").getTap(targetTap)).as("the move's target tap").isPresent();

    var first = call("sweepOrphans", ADMIN, Map.of());
    assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
    assertThat(saga(gid).status()).as("swept while the move was in flight").isEqualTo("submitted");
    String quarantined = first.body().path("did").toString();
    assertThat(quarantined)
        .contains(stray, "local/" + lostDisk, tap)
        .doesNotContain(targetTap)
        .doesNotContain(moving);
    assertThat(node1.getVm(stray).orElseThrow().state())
        .as("quarantined: paused")
        .isEqualTo("paused");
    assertThat(node1.getDisk("local", lostDisk)).as("quarantine deletes nothing").isPresent();
    assertThat(node1.getTap(tap)).isPresent();
    assertThat(first.body().path("quarantined").toString()).contains(stray, lostDisk, tap);

    // the grace period passes
    execute(
        "UPDATE orphan SET quarantined_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 HOUR"
            + " WHERE removed_at IS NULL");
    var second = call("sweepOrphans", ADMIN, Map.of());
    assertThat(second.status()).as(second.body().toString()).isEqualTo(200);
    String removed = second.body().path("did").toString();
    assertThat(removed)
        .contains(stray, lostDisk, tap)
        .doesNotContain(targetTap)
        .doesNotContain(moving);
    assertThat(second.body().path("did").findValuesAsString("did"))
        .allMatch(d -> !d.startsWith("removal failed"));

    assertThat(node1.getVm(stray)).isEmpty();
    assertThat(processesMentioning(stray)).isEmpty();
    assertThat(node1.getDisk("local", lostDisk)).isEmpty();
    assertThat(node1.getTap(tap)).isEmpty();
    assertThat(linkExists(tap)).isFalse();
    assertThat(
            strings(
                "SELECT kind FROM orphan WHERE name IN (?, ?, ?) AND removed_at IS NOT NULL",
                stray,
                "local/" + lostDisk,
                tap))
        .hasSize(3);

    var saga = awaitSaga(gid, Duration.ofSeconds(90));
    assertThat(saga.status()).as("the move in flight finished").isEqualTo("succeed");
    onlyQemuOn(agent("node-2"), moving);
    assertThat(call("getVm", tenant.token(), Map.of("vmId", moving)).text("nodeId"))
        .isEqualTo("node-2");
    for (String node : NODES) {
      var audit = call("auditNode", ADMIN, Map.of("nodeId", node)).body().toString();
      assertThat(audit).doesNotContain(stray).doesNotContain(lostDisk).doesNotContain(targetTap);
    }
    assertAccountingExact(tenant.id());
    MigrationE2ETest.delete(tenant, moving);
  }

  @Test
  void sweepingIsForAdministrators() {
    var tenant = newTenant(1, 1, 128);
    assertThat(call("sweepOrphans", tenant.token(), Map.of()).status()).isEqualTo(403);
    assertThat(call("sweepOrphans", null, Map.of()).status()).isEqualTo(401);
  }
}
