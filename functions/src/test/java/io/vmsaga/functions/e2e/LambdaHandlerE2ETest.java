package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.dtm.Transaction;
import io.vmsaga.functions.saga.Branches;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Lambda handler (FunctionInvoker on API Gateway v2 events, {@link Lambda}) answers as the web
 * app does ({@link Stack#call}): the same status codes DTM and clients read and the same bodies,
 * for triggers, a saga step and its compensation, with the same end state on the stack and no
 * request header echoed.
 */
class LambdaHandlerE2ETest {
  interface Via {
    Reply call(String function, Map<String, String> headers, String query, Object body);
  }

  static final Map<String, Via> BOTH = Map.of("lambda", Lambda::call, "http", Stack::call);

  @Test
  void triggersAnswerAlike() {
    var tenant = newTenant(5, 8, 4096);
    assertAlike(Lambda.call("listVms", null, Map.of()), Stack.call("listVms", null, Map.of()), 401);
    assertAlike(
        Lambda.call("getVm", tenant.token(), "{not json"),
        Stack.call("getVm", tenant.token(), "{not json"),
        400);

    var created = Lambda.call("createVm", tenant.token(), vm("lambda-1", "nodeId", "node-1"));

    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String vmId = created.text("vmId");
    assertThat(saga(created.text("gid")).status()).isEqualTo("succeed");
    assertStepsRanAtTheBuildUnderTest(saga(created.text("gid")));
    assertThat(agent("node-1").getVm(vmId))
        .get()
        .satisfies(
            v -> {
              assertThat(v.state()).isEqualTo("running");
              assertThat(processesMentioning(vmId)).containsExactly(v.pid());
            });
    var viaLambda = Lambda.call("getVm", tenant.token(), Map.of("vmId", vmId));
    assertAlike(viaLambda, Stack.call("getVm", tenant.token(), Map.of("vmId", vmId)), 200);
    assertThat(viaLambda.text("state")).isEqualTo("running");
    assertAlike(
        Lambda.call("listVms", tenant.token(), Map.of()),
        Stack.call("listVms", tenant.token(), Map.of()),
        200);

    var deleted =
        Lambda.call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));

    assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(200);
    assertNothingLeft(vmId, tenant.id());
    assertAlike(
        Lambda.call("getVm", tenant.token(), Map.of("vmId", vmId)),
        Stack.call("getVm", tenant.token(), Map.of("vmId", vmId)),
        404);
  }

  /**
   * A business failure in a real saga (an injected fault DTM sees as 409) ends alike: 409,
   * compensated, nothing left.
   */
  @Test
  void aFailedSagaAnswersAlike() {
    var tenant = newTenant(5, 8, 4096);
    var request = vm("lambda-f", "nodeId", "node-2");
    var replies = new HashMap<String, Reply>();
    BOTH.forEach(
        (via, caller) ->
            replies.put(
                via,
                caller.call(
                    "createVm",
                    withFaults(tenant.token(), Map.of("createDisk", "fail"), 6),
                    "",
                    request)));

    for (var reply : replies.values()) {
      assertThat(reply.status()).as(reply.body().toString()).isEqualTo(409);
      assertThat(reply.text("code")).isEqualTo("create_failed");
      String gid = reply.body().path("vm").path("gid").asString();
      var saga = awaitSaga(gid, Duration.ofSeconds(60));
      assertThat(saga.status()).isEqualTo("failed");
      assertThat(saga.count("compensate", "failed")).isZero();
      assertStepsRanAtTheBuildUnderTest(saga);
      assertNothingLeft(reply.body().path("vm").path("vmId").asString(), tenant.id());
    }
    assertThat(replies.get("lambda").body().path("message"))
        .isEqualTo(replies.get("http").body().path("message"));
    assertNoEcho(replies.get("lambda"));
    assertNoEcho(replies.get("http"));
  }

  /**
   * reserveResources and releaseResources called as DTM calls them (branch token, gid and branch_id
   * in the query, the branch in the payload): a refusal, a first call, DTM's retry and the
   * compensation all answer alike, and the tenant's and node's accounting follow.
   */
  @Test
  void aStepAndItsCompensationAnswerAlike() {
    var dtm = Map.of(Branches.TOKEN_HEADER, env("VMSAGA_BRANCH_TOKEN"));
    var noQuota = newTenant(0, 0, 0);
    var refused = new HashMap<String, Reply>();
    BOTH.forEach(
        (via, caller) -> {
          var call = branch(noQuota);
          refused.put(via, caller.call("reserveResources", dtm, call.query("action"), call.step()));
        });
    assertAlike(refused.get("lambda"), refused.get("http"), 409);
    assertThat(refused.get("lambda").text("code")).isEqualTo("quota_exceeded");
    assertThat(number("SELECT COUNT(*) FROM reservation WHERE tenant_id = ?", noQuota.id()))
        .isZero();
    assertThat(number("SELECT COUNT(*) FROM vm WHERE tenant_id = ?", noQuota.id())).isZero();

    var tenant = newTenant(1, 1, 256);
    var call = branch(tenant);
    String vmId = call.step().vm().vmId();
    assertAlike(
        Lambda.call("reserveResources", Map.of(), call.query("action"), call.step()),
        Stack.call("reserveResources", Map.of(), call.query("action"), call.step()),
        401);

    var reserved = Lambda.call("reserveResources", dtm, call.query("action"), call.step());

    assertThat(reserved.status()).as(reserved.body().toString()).isEqualTo(200);
    assertThat(reserved.text("vmId")).isEqualTo(vmId);
    assertNoEcho(reserved);
    assertThat(
            number(
                "SELECT COUNT(*) FROM vm WHERE id = ? AND state = 'creating' AND owner_gid = ?",
                vmId,
                call.step().branch().gid()))
        .isEqualTo(1);
    assertThat(number("SELECT used_vms FROM tenant WHERE id = ?", tenant.id())).isEqualTo(1);
    assertAccountingExact(tenant.id());
    // DTM calling again (a retry after a lost answer): the barrier skips it, alike on both
    assertAlike(
        Lambda.call("reserveResources", dtm, call.query("action"), call.step()),
        Stack.call("reserveResources", dtm, call.query("action"), call.step()),
        200);
    assertThat(number("SELECT used_vms FROM tenant WHERE id = ?", tenant.id())).isEqualTo(1);

    var released = Lambda.call("releaseResources", dtm, call.query("compensate"), call.step());

    assertThat(released.status()).as(released.body().toString()).isEqualTo(200);
    assertThat(released.body().path("released").asInt()).isEqualTo(1);
    assertNothingLeft(vmId, tenant.id());
    assertAlike(
        Lambda.call("releaseResources", dtm, call.query("compensate"), call.step()),
        Stack.call("releaseResources", dtm, call.query("compensate"), call.step()),
        200);
    assertNothingLeft(vmId, tenant.id());
  }

  /**
   * One request, one invocation: a JSON array (of two createVm bodies, of two step payloads) is 400
   * malformed_json on both, and creates or reserves nothing.
   */
  @Test
  void aJsonArrayIsRefusedAlikeByATriggerAndAStep() throws Exception {
    var tenant = newTenant(4, 4, 1024);
    String twoVms = JSON.writeValueAsString(List.of(vm("array-1"), vm("array-2")));
    BOTH.forEach(
        (via, caller) -> {
          var reply = caller.call("createVm", bearer(tenant.token()), "", twoVms);
          assertThat(reply.status()).as(via + ": " + reply.body()).isEqualTo(400);
          assertThat(reply.text("code")).as(via).isEqualTo("malformed_json");
        });
    var dtm = Map.of(Branches.TOKEN_HEADER, env("VMSAGA_BRANCH_TOKEN"));
    var call = branch(tenant);
    String twoSteps = JSON.writeValueAsString(List.of(call.step(), call.step()));
    BOTH.forEach(
        (via, caller) -> {
          var reply = caller.call("reserveResources", dtm, call.query("action"), twoSteps);
          assertThat(reply.status()).as(via + ": " + reply.body()).isEqualTo(400);
          assertThat(reply.text("code")).as(via).isEqualTo("malformed_json");
        });
    assertThat(number("SELECT COUNT(*) FROM vm WHERE tenant_id = ?", tenant.id())).isZero();
    assertThat(number("SELECT COUNT(*) FROM reservation WHERE tenant_id = ?", tenant.id()))
        .isZero();
    assertAccountingExact(tenant.id());
  }

  /**
   * The housekeeping the web app runs on timers is, on Lambda, a function an EventBridge schedule
   * invokes (no route, no token): it prunes barrier rows past their retention and keeps the rest.
   */
  @Test
  void theScheduledHousekeepingPrunesOldBarrierRowsOnLambdaOnly() {
    String old = "old-" + UUID.randomUUID();
    String fresh = "fresh-" + UUID.randomUUID();
    execute(
        "INSERT INTO dtm_barrier (trans_type, gid, branch_id, op, barrier_id, reason, create_time)"
            + " VALUES ('saga', ?, '01', 'action', '01', 'action', CURRENT_TIMESTAMP(3) - INTERVAL 8 DAY)",
        old);
    execute(
        "INSERT INTO dtm_barrier (trans_type, gid, branch_id, op, barrier_id, reason)"
            + " VALUES ('saga', ?, '01', 'action', '01', 'action')",
        fresh);

    var done =
        Lambda.invoke(
            "housekeeping",
            Map.of(
                "version", "0",
                "source", "aws.events",
                "detail-type", "Scheduled Event",
                "time", "2026-12-03T00:00:00Z",
                "detail", Map.of()));

    assertThat(done.toString()).contains("barrierRowsPruned").contains("reclaimed");
    assertThat(number("SELECT COUNT(*) FROM dtm_barrier WHERE gid = ?", old)).isZero();
    assertThat(number("SELECT COUNT(*) FROM dtm_barrier WHERE gid = ?", fresh)).isEqualTo(1);
    assertThat(Stack.call("housekeeping", env("VMSAGA_ADMIN_TOKEN"), Map.of()).status())
        .as("no route to it in the web app, which runs it on timers")
        .isEqualTo(404);
    execute("DELETE FROM dtm_barrier WHERE gid = ?", fresh);
  }

  /**
   * One branch of a saga nobody submitted: the barrier and the steps need only its gid and branch
   * id.
   */
  record BranchCall(VmStep step) {
    String query(String op) {
      var branch = step.branch();
      return "branch_id="
          + branch.branchId()
          + "&gid="
          + branch.gid()
          + "&op="
          + op
          + "&trans_type=saga";
    }
  }

  static BranchCall branch(Tenant tenant) {
    String gid = "lambda-" + UUID.randomUUID();
    String vmId = VmPlan.vmIdFor(gid);
    var vm =
        new VmPlan(
            vmId,
            tenant.id(),
            "lambda-step",
            "node-1",
            1,
            1,
            128,
            128,
            0,
            VmPlan.diskFor(vmId, false, 1),
            VmPlan.nicFor(vmId, "default", BRIDGE));
    return new BranchCall(new VmStep(new BranchRef(gid, "01"), vm));
  }

  static void assertAlike(Reply lambda, Reply http, int status) {
    assertThat(lambda.status()).as("Lambda: " + lambda.body()).isEqualTo(status);
    assertThat(http.status()).as("HTTP: " + http.body()).isEqualTo(status);
    assertThat(lambda.body()).isEqualTo(http.body());
    assertNoEcho(lambda);
    assertNoEcho(http);
  }

  static void assertStepsRanAtTheBuildUnderTest(Transaction saga) {
    assertThat(saga.branches())
        .allSatisfy(b -> assertThat(b.url()).startsWith(env("VMSAGA_URL") + "/"));
  }

  /** Credentials a request carried never come back in the response's headers. */
  static void assertNoEcho(Reply reply) {
    assertThat(reply.headers()).doesNotContainKeys("authorization", Branches.TOKEN_HEADER);
    assertThat(List.copyOf(reply.headers().values()))
        .noneMatch(v -> v.contains("Bearer ") || v.contains(env("VMSAGA_BRANCH_TOKEN")));
  }
}
