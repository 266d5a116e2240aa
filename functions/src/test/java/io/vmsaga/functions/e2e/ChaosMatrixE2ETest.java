package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Migrating.onlyQemuOn;
import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmsaga.functions.create.CreateVmSaga;
import io.vmsaga.functions.create.TestPlans;
import io.vmsaga.functions.migration.MigrateVmSaga;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix: a part of the stack — the functions app, DTM (#1 of the pair), MariaDB, or a
 * host agent — is SIGKILLed while a create or a live migration runs a given step (the step pauses 2
 * s before its effect: the moment it dies), and the stack is brought back ({@code scripts/dev up}).
 * Every run must end with its saga finished — completed or compensated — the VM where the outcome
 * says, deleted afterwards without a trace, and {@code auditNode} clean on every node. The outcomes
 * and recovery times (kill to saga finished) are printed as a table.
 *
 * <p>{@code scripts/dev chaos} runs every component at every step of both sagas ({@code
 * -Dvmsaga.chaos=full}); the test suite runs a slice: every component at the create's writeVmConfig
 * and at the migration's pivot.
 */
class ChaosMatrixE2ETest {
  static final List<String> COMPONENTS = List.of("functions", "dtm", "mariadb", "agent");
  static final List<String> MIGRATE_ACTIONS =
      MigrateVmSaga.of("n", null, Duration.ofMinutes(1)).actions();
  static final List<String> CREATE =
      CreateVmSaga.of("n", TestPlans.blank(), Duration.ofMinutes(1)).actions();

  /** saga and step → component → outcome and recovery time, for the table. */
  static final Map<String, Map<String, String>> OUTCOMES = new TreeMap<>();

  record Run(String component, String saga, int step) {
    String stepName() {
      return (saga.equals("create") ? CREATE : MIGRATE_ACTIONS).get(step);
    }

    @Override
    public String toString() {
      return component + " killed at " + saga + " step " + (step + 1) + " " + stepName();
    }
  }

  static Stream<Run> runs() {
    boolean full = "full".equals(System.getProperty("vmsaga.chaos"));
    // -Dvmsaga.chaos.only=agent runs one component's column
    String only = System.getProperty("vmsaga.chaos.only", "");
    List<Run> runs = new ArrayList<>();
    for (String component : COMPONENTS) {
      if (!only.isEmpty() && !only.equals(component)) {
        continue;
      }
      for (int i = 0; i < CREATE.size(); i++) {
        if (full || CREATE.get(i).equals("writeVmConfig")) {
          runs.add(new Run(component, "create", i));
        }
      }
      for (int i = 0; i < MIGRATE_ACTIONS.size(); i++) {
        if (full || MIGRATE_ACTIONS.get(i).equals("awaitMigration")) {
          runs.add(new Run(component, "migrate", i));
        }
      }
    }
    return runs.stream();
  }

  @AfterEach
  void deleteLeftovers() throws Exception {
    restartStack();
    deleteTestVms();
  }

  @AfterAll
  static void printTable() {
    var table = new StringBuilder("\n| saga step | ");
    COMPONENTS.forEach(c -> table.append(c).append(" | "));
    table.append("\n|---|").append("---|".repeat(COMPONENTS.size())).append('\n');
    OUTCOMES.forEach(
        (step, byComponent) -> {
          table.append("| ").append(step).append(" | ");
          COMPONENTS.forEach(c -> table.append(byComponent.getOrDefault(c, "–")).append(" | "));
          table.append('\n');
        });
    System.out.println(table);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void theSagaFinishesAndNothingIsLeft(Run run) throws Exception {
    var tenant = newTenant(5, 8, 4096);
    String vmId;
    String gid;
    String target = "node-2"; // where the VM is created, or moved to
    if (run.saga().equals("create")) {
      var request = vm("chaos", "nodeId", target);
      request.put("awaitResult", false);
      var created =
          call(
              "createVm",
              withFaults(tenant.token(), Map.of(run.stepName(), "slow"), null),
              "",
              request);
      assertThat(created.status()).as(created.body().toString()).isEqualTo(202);
      vmId = created.text("vmId");
      gid = created.text("gid");
    } else {
      vmId = MigrationE2ETest.create(tenant, "chaos-move", 256);
      var moved =
          call(
              "migrateVm",
              withFaults(tenant.token(), Map.of(run.stepName(), "slow"), null),
              "",
              Map.of("vmId", vmId, "targetNodeId", target));
      assertThat(moved.status()).as(moved.body().toString()).isEqualTo(202);
      gid = moved.text("gid");
    }
    // the step before has succeeded: the slow one runs now
    if (run.step() > 0) {
      awaitBranch(gid, String.format("%02d", run.step()));
    }
    sleep(500);
    String killed = run.component().equals("agent") ? agentFor(run) : run.component();

    kill(killed);
    long down = System.nanoTime();
    restartStack();
    var saga = awaitSaga(gid, Duration.ofSeconds(120));
    long recoveredMs = (System.nanoTime() - down) / 1_000_000;
    String outcome = saga.status().equals("succeed") ? "completed" : "compensated";
    System.out.printf("%s: %s in %d ms%n", run, outcome, recoveredMs);
    OUTCOMES
        .computeIfAbsent(
            run.saga() + " " + String.format("%02d", run.step() + 1) + " " + run.stepName(),
            k -> new TreeMap<>())
        .put(run.component(), String.format("%s %.1f s", outcome, recoveredMs / 1000.0));

    // where the outcome says the VM is, and nothing else
    if (run.saga().equals("create")) {
      if (saga.status().equals("succeed")) {
        onlyQemuOn(agent(target), vmId);
        assertThat(call("getVm", tenant.token(), Map.of("vmId", vmId)).text("state"))
            .isEqualTo("running");
      } else {
        assertNothingLeft(vmId, tenant.id());
      }
    } else {
      String on = saga.status().equals("succeed") ? target : "node-1";
      onlyQemuOn(agent(on), vmId);
      var view = call("getVm", tenant.token(), Map.of("vmId", vmId));
      assertThat(view.text("nodeId")).isEqualTo(on);
      assertThat(view.text("state")).isEqualTo("running");
    }
    assertAccountingExact(tenant.id());
    if (!strings("SELECT id FROM vm WHERE id = ?", vmId).isEmpty()) {
      var deleted = call("deleteVm", tenant.token(), Map.of("vmId", vmId, "awaitResult", true));
      assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(200);
    }
    assertNothingLeft(vmId, tenant.id());
    for (String node : NODES) {
      var audit = call("auditNode", env("VMSAGA_ADMIN_TOKEN"), Map.of("nodeId", node));
      assertThat(audit.body().path("clean").asBoolean())
          .as("auditNode " + node + " after " + run + ": " + audit.body())
          .isTrue();
    }
  }

  /** The agent the step talks to: the VM's node for a create, source or target for a move. */
  static String agentFor(Run run) {
    if (run.saga().equals("create")) {
      return "agent-node-2";
    }
    int pivot = MIGRATE_ACTIONS.indexOf("awaitMigration");
    return run.step() > pivot ? "agent-node-1" : "agent-node-2";
  }
}
