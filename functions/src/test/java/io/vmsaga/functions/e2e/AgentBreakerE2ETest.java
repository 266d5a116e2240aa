package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hung agent (SIGSTOPped: it accepts connections and never answers) opens its circuit breaker
 * after a few timed-out calls; from then on calls to it fail at once with a retryable 503 instead
 * of each waiting its timeout. Resumed, the agent is tried again after the open period and the
 * breaker closes; a saga submitted while it hung then finishes.
 */
class AgentBreakerE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");
  long agentPid;

  @AfterEach
  void resumeAndClean() throws Exception {
    signal("CONT");
    deleteTestVms();
  }

  @Test
  void aHungAgentFailsFastThenRecovers() throws Exception {
    Tenant tenant = newTenant(3, 3, 512);
    var created = call("createVm", tenant.token(), with(vm("breaker"), "nodeId", "node-2"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    String vmId = created.text("vmId");
    agentPid =
        Long.parseLong(
            Files.readString(Path.of(env("VMSAGA_HOME"), "run", "agent-node-2.pid")).trim());

    signal("STOP");
    long start = System.nanoTime();
    var first = call("getVmStatus", tenant.token(), Map.of("vmId", vmId));
    long firstMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(first.status()).as(first.body().toString()).isEqualTo(503);
    assertThat(breakerOf("node-2")).isEqualTo("OPEN");
    String node2 =
        "name=\"" + strings("SELECT agent_url FROM node WHERE id = 'node-2'").getFirst() + "\"";
    assertThat(metrics())
        .as("the open breaker in the metrics")
        .contains("resilience4j_circuitbreaker_state{" + node2 + ",state=\"open\"} 1.0");

    start = System.nanoTime();
    var fast = call("getVmStatus", tenant.token(), Map.of("vmId", vmId));
    long fastMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(fast.status()).isEqualTo(503);
    assertThat(fastMs)
        .as("with the breaker open the call does not wait its timeout")
        .isLessThan(1000);
    // a saga against the hung agent: its steps fail fast and DTM retries them
    var pending =
        call(
            "createVm",
            tenant.token(),
            with(with(vm("during-hang"), "nodeId", "node-2"), "awaitResult", false));
    assertThat(pending.status()).as(pending.body().toString()).isEqualTo(202);

    signal("CONT");
    long resumed = System.nanoTime();
    String state = null;
    while (System.nanoTime() - resumed < 20_000_000_000L) {
      var status = call("getVmStatus", tenant.token(), Map.of("vmId", vmId));
      if (status.status() == 200) {
        state = status.text("state");
        break;
      }
      sleep(250);
    }
    long recoveredMs = (System.nanoTime() - resumed) / 1_000_000;
    assertThat(state).as("answered again after the agent resumed").isEqualTo("running");
    assertThat(breakerOf("node-2")).isEqualTo("CLOSED");
    assertThat(metrics())
        .contains("resilience4j_circuitbreaker_state{" + node2 + ",state=\"closed\"} 1.0");
    var saga = awaitSaga(pending.text("gid"), java.time.Duration.ofSeconds(60));
    assertThat(saga.status()).as("the saga submitted during the hang").isEqualTo("succeed");
    assertAccountingExact(tenant.id());
    System.out.printf(
        "hung agent: first call %d ms (timeouts until the breaker opened), then %d ms;"
            + " answering again %d ms after it resumed%n",
        firstMs, fastMs, recoveredMs);
  }

  void signal(String signal) throws Exception {
    if (agentPid > 0) {
      new ProcessBuilder("kill", "-" + signal, Long.toString(agentPid)).start().waitFor();
    }
  }

  static String breakerOf(String node) {
    var nodes = call("listNodes", ADMIN, Map.of()).body().path("nodes");
    for (var n : nodes) {
      if (n.path("node").path("id").asString().equals(node)) {
        return n.path("breaker").asString();
      }
    }
    throw new AssertionError("no node " + node + " in " + nodes);
  }
}
