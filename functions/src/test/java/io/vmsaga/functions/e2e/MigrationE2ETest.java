package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Migrating.*;
import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.migration.MigrationPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * migrateVm and cancelMigration on the real stack: a running VM on the shared pool moves from
 * node-1 to node-2 with its node commitment; a move with a local disk, to the VM's own node or to a
 * full node is refused; one that cannot converge is cancelled mid-way and stays where it was; a
 * rollback past the pivot finishes the move instead.
 */
class MigrationE2ETest {

  @Test
  void aRunningVmMovesToTheTargetWithItsNodeCommitment() {
    var tenant = newTenant(5, 8, 4096);
    String vmId = create(tenant, "live-1", 256);
    long sourcePid = onlyQemuOn(agent("node-1"), vmId);
    var tenantBefore = usage(tenant.id());
    var node1Before = committedOn("node-1");
    var node2Before = committedOn("node-2");

    long started = System.nanoTime();
    var moved =
        call(
            "migrateVm",
            tenant.token(),
            Map.of("vmId", vmId, "targetNodeId", "node-2", "awaitResult", true));
    long wallMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);
    var saga = saga(moved.text("gid"));
    assertThat(saga.status()).isEqualTo("succeed");
    assertThat(saga.count("action", "succeed")).isEqualTo(8);
    var migration = moved.body().path("migration");
    report("live migration of an idle 256 MiB VM", migration, wallMs);
    assertThat(migration.path("status").asString()).isEqualTo("completed");
    assertThat(migration.path("percent").asInt()).isEqualTo(100);
    assertThat(migration.path("downtimeMs").isNumber()).isTrue();
    assertThat(migration.path("outcome").asString()).isEqualTo("succeed");

    long targetPid = onlyQemuOn(agent("node-2"), vmId);
    assertThat(targetPid).isNotEqualTo(sourcePid);
    assertThat(agent("node-1").getVm(vmId)).as("no config left on node-1").isEmpty();
    String sourceTap = VmPlan.nicFor(vmId, "", "").tap();
    String targetTap = MigrationPlan.tapOn(vmId, "node-2");
    assertThat(linkExists(sourceTap)).as("source tap").isFalse();
    assertThat(agent("node-2").getTap(targetTap))
        .get()
        .satisfies(t -> assertThat(t.bridge()).isEqualTo(BRIDGE));

    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.text("nodeId")).isEqualTo("node-2");
    assertThat(view.text("state")).isEqualTo("running");
    assertThat(view.body().path("ownerGid").isNull()).isTrue();
    assertThat(view.body().path("nics").get(0).path("tap").asString()).isEqualTo(targetTap);
    assertThat(view.body().path("disks").get(0).path("nodeId").isNull())
        .as("a shared disk is on no node")
        .isTrue();

    assertThat(usage(tenant.id())).as("tenant quota unchanged").isEqualTo(tenantBefore);
    assertThat(committedFor(vmId, "node-1")).isEqualTo(List.of(0L, 0L));
    assertThat(committedFor(vmId, "node-2")).isEqualTo(List.of(1L, 256L));
    assertThat(
            number(
                "SELECT COUNT(*) FROM reservation WHERE vm_id = ? AND state = 'committed'", vmId))
        .isEqualTo(1);
    System.out.printf(
        "node commitments (vcpus, MiB): node-1 %s -> %s, node-2 %s -> %s%n",
        node1Before, committedOn("node-1"), node2Before, committedOn("node-2"));
    assertAccountingExact(tenant.id());

    delete(tenant, vmId);
    assertThat(linkExists(targetTap)).isFalse();
  }

  @Test
  void aLocalDiskIsRefusedTowardsColdMigrationAndSoAreOtherImpossibleMoves() {
    var tenant = newTenant(5, 8, 4096);
    String vmId = create(tenant, "local-1", 128, "sharedStorage", false);

    var refused = call("migrateVm", tenant.token(), Map.of("vmId", vmId, "targetNodeId", "node-2"));
    var sameNode =
        call("migrateVm", tenant.token(), Map.of("vmId", vmId, "targetNodeId", "node-1"));
    var noNode = call("migrateVm", tenant.token(), Map.of("vmId", vmId, "targetNodeId", "node-77"));
    var notMigrating = call("cancelMigration", tenant.token(), Map.of("vmId", vmId));
    execute(
        "INSERT INTO node (id, agent_url, cpus, memory_mib) VALUES ('node-8', 'http://127.0.0.1:9', 1, 64)");
    Stack.Reply noRoom;
    try {
      noRoom =
          call("coldMigrateVm", tenant.token(), Map.of("vmId", vmId, "targetNodeId", "node-8"));
    } finally {
      execute("DELETE FROM node WHERE id = 'node-8'");
    }

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text("code")).isEqualTo("local_disk");
    assertThat(refused.text("message")).contains("coldMigrateVm");
    assertThat(sameNode.status()).isEqualTo(409);
    assertThat(sameNode.text("code")).isEqualTo("same_node");
    assertThat(noNode.status()).isEqualTo(404);
    assertThat(notMigrating.status()).isEqualTo(409);
    assertThat(notMigrating.text("code")).isEqualTo("not_migrating");
    assertThat(noRoom.status()).isEqualTo(409);
    assertThat(noRoom.text("code")).isEqualTo("no_capacity");
    var stranger = newTenant(1, 1, 128);
    for (var bad :
        List.of(
            call("migrateVm", stranger.token(), Map.of("vmId", vmId, "targetNodeId", "node-2")),
            call("cancelMigration", stranger.token(), Map.of("vmId", vmId)),
            call(
                "coldMigrateVm",
                stranger.token(),
                Map.of("vmId", vmId, "targetNodeId", "node-2")))) {
      assertThat(bad.status()).as("another tenant's VM does not exist for it").isEqualTo(404);
    }
    assertThat(call("migrateVm", null, Map.of("vmId", vmId, "targetNodeId", "node-2")).status())
        .isEqualTo(401);
    assertThat(call("migrateVm", tenant.token(), "{\"vmId\": ").status()).isEqualTo(400);
    for (var invalid :
        List.of(
            Map.of("vmId", "../" + vmId, "targetNodeId", "node-2"),
            Map.of("vmId", vmId, "targetNodeId", "node-2", "maxBandwidthMibps", 0))) {
      var reply = call("migrateVm", tenant.token(), invalid);
      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.text("code")).isEqualTo("invalid");
      assertThat(reply.body().toString()).doesNotContain("rm -rf").doesNotContain("../");
    }
    assertThat(number("SELECT COUNT(*) FROM migration WHERE vm_id = ?", vmId))
        .as("no saga started")
        .isZero();
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.text("state")).isEqualTo("running");
    assertThat(view.body().path("ownerGid").isNull()).isTrue();
    onlyQemuOn(agent("node-1"), vmId);

    delete(tenant, vmId);
  }

  @Test
  void aCancelMidMigrationLeavesTheVmRunningOnItsSourceAndNothingOnTheTarget() throws Exception {
    var tenant = newTenant(5, 8, 4096);
    String vmId = create(tenant, "cancel-1", 256);
    keepMemoryDirty(vmId, "node-1");
    long sourcePid = onlyQemuOn(agent("node-1"), vmId);

    var submitted =
        call(
            "migrateVm",
            tenant.token(),
            Map.of(
                "vmId",
                vmId,
                "targetNodeId",
                "node-2",
                "maxBandwidthMibps",
                1,
                "maxDowntimeMs",
                10,
                "autoConverge",
                false));
    assertThat(submitted.status()).as(submitted.body().toString()).isEqualTo(202);
    String gid = submitted.text("gid");
    long started = System.nanoTime();
    var progress = awaitMigrating(tenant.token(), vmId);
    System.out.println("progress while migrating: " + progress);
    assertThat(progress.path("remainingBytes").asLong()).isPositive();
    assertThat(committedFor(vmId, "node-2"))
        .as("target reservation while migrating")
        .isEqualTo(List.of(1L, 256L));
    for (var other :
        List.of(
            call("deleteVm", tenant.token(), Map.of("vmId", vmId)),
            call("migrateVm", tenant.token(), Map.of("vmId", vmId, "targetNodeId", "node-2")))) {
      assertThat(other.status()).isEqualTo(409);
      assertThat(other.text("code")).isEqualTo("busy");
      assertThat(other.text("message")).contains(gid);
    }

    var cancelled =
        call("cancelMigration", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));

    assertThat(cancelled.status()).as(cancelled.body().toString()).isEqualTo(200);
    assertThat(cancelled.text("status")).isEqualTo("cancelled");
    var saga = awaitSaga(gid, Duration.ofSeconds(60));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    assertThat(onlyQemuOn(agent("node-1"), vmId))
        .as("the same QEMU keeps running")
        .isEqualTo(sourcePid);
    assertThat(agent("node-1").status(vmId).status()).isEqualTo("running");
    nothingOn(agent("node-2"), "node-2", vmId);
    assertThat(committedFor(vmId, "node-2")).isEqualTo(List.of(0L, 0L));
    assertThat(committedFor(vmId, "node-1")).isEqualTo(List.of(1L, 256L));
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.text("nodeId")).isEqualTo("node-1");
    assertThat(view.text("state")).isEqualTo("running");
    assertThat(view.text("lastOutcome")).isEqualTo("failed");
    report(
        "cancelled live migration (256 MiB kept dirty, 1 MiB/s)",
        view.body().path("migration"),
        (System.nanoTime() - started) / 1_000_000);
    assertThat(view.body().path("migration").path("status").asString()).isEqualTo("cancelled");
    assertThat(view.body().path("migration").path("cancelReason").asString())
        .isEqualTo("requested");
    assertAccountingExact(tenant.id());
    assertThat(call("cancelMigration", tenant.token(), Map.of("vmId", vmId)).text("code"))
        .isEqualTo("not_migrating");

    delete(tenant, vmId);
  }

  /**
   * verifySharedDisks and setMigrationParameters run side by side: when the check fails, the other
   * step has run all the same, and its compensation puts QEMU's parameters back before the saga
   * ends. The VM keeps running where it was, and nothing is left on the target.
   */
  @Test
  void aStepFailingBesideAnotherIsUndoneWithIt() {
    var tenant = newTenant(5, 8, 4096);
    String vmId = create(tenant, "beside-1", 128);
    long sourcePid = onlyQemuOn(agent("node-1"), vmId);

    // parameters of its own, so that their undoing shows
    var move =
        new java.util.HashMap<String, Object>(Map.of("vmId", vmId, "targetNodeId", "node-2"));
    move.putAll(Map.of("maxBandwidthMibps", 7, "autoConverge", true, "awaitResult", true));
    var failed =
        call(
            "migrateVm",
            withFaults(tenant.token(), Map.of("verifySharedDisks", "fail"), null),
            "",
            move);

    assertThat(failed.status()).as(failed.body().toString()).isEqualTo(409);
    String gid = failed.body().path("vm").path("gid").asString();
    // a sequence would never have run branch 03 after 02 failed
    awaitBranch(gid, "03");
    var saga = awaitSaga(gid, Duration.ofSeconds(60));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    assertThat(
            agent("node-1")
                .setMigrationParameters(vmId, new MigrationParameters(null, null, null, null)))
        .as("QEMU's defaults back")
        .isEqualTo(new MigrationParameters(false, false, 300L, 128L));
    assertThat(onlyQemuOn(agent("node-1"), vmId)).as("the same QEMU").isEqualTo(sourcePid);
    nothingOn(agent("node-2"), "node-2", vmId);
    assertThat(committedFor(vmId, "node-2")).isEqualTo(List.of(0L, 0L));
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.text("nodeId")).isEqualTo("node-1");
    assertThat(view.text("state")).isEqualTo("running");
    assertAccountingExact(tenant.id());

    delete(tenant, vmId);
  }

  @Test
  void aRollbackPastThePivotFinishesTheMoveInsteadOfUndoingIt() {
    var tenant = newTenant(5, 8, 4096);
    String vmId = create(tenant, "pivot-1", 128);

    long started = System.nanoTime();
    var failed =
        call(
            "migrateVm",
            withFaults(tenant.token(), Map.of("cleanUpSource", "fail"), null),
            "",
            Map.of("vmId", vmId, "targetNodeId", "node-2", "awaitResult", true));
    report(
        "live migration rolled back past its pivot",
        failed.body().path("vm").path("migration"),
        (System.nanoTime() - started) / 1_000_000);

    assertThat(failed.status()).as(failed.body().toString()).isEqualTo(409);
    assertThat(failed.text("message")).contains("past its pivot");
    var saga = awaitSaga(failed.body().path("vm").path("gid").asString(), Duration.ofSeconds(60));
    assertThat(saga.status()).isEqualTo("failed");
    assertThat(saga.count("compensate", "failed")).isZero();
    onlyQemuOn(agent("node-2"), vmId);
    assertThat(agent("node-1").getVm(vmId)).as("source removed by the last compensation").isEmpty();
    var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertThat(view.text("nodeId")).isEqualTo("node-2");
    assertThat(view.body().path("migration").path("note").asString()).contains("finished instead");
    assertThat(committedFor(vmId, "node-1")).isEqualTo(List.of(0L, 0L));
    assertThat(committedFor(vmId, "node-2")).isEqualTo(List.of(1L, 128L));
    assertAccountingExact(tenant.id());

    delete(tenant, vmId);
  }

  static String create(Stack.Tenant tenant, String name, int memoryMib, Object... extra) {
    var request = vm(name, "nodeId", "node-1");
    request.put("memoryMib", memoryMib);
    request.put("sharedStorage", true);
    for (int i = 0; i < extra.length; i += 2) {
      request.put((String) extra[i], extra[i + 1]);
    }
    var created = call("createVm", tenant.token(), request);
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    return created.text("vmId");
  }

  static void delete(Stack.Tenant tenant, String vmId) {
    var deleted = call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));
    assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(200);
    assertNothingLeft(vmId, tenant.id());
    for (String node : NODES) {
      nothingOn(agent(node), node, vmId);
    }
  }

  static List<Long> usage(String tenantId) {
    return List.of(
        number("SELECT used_vms FROM tenant WHERE id = ?", tenantId),
        number("SELECT used_vcpus FROM tenant WHERE id = ?", tenantId),
        number("SELECT used_memory_mib FROM tenant WHERE id = ?", tenantId));
  }
}
