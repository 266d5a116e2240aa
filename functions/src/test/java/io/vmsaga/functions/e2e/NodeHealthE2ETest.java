package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Node health: the app polls every agent (the dev stack every 2 s; unreachable after 3 missed
 * polls, down after 10). node-2's agent SIGKILLed: the node goes unreachable, then down, and
 * placement passes it by; the agent back, the node is up at the next poll. The times in the output.
 */
class NodeHealthE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");

  @AfterEach
  void bringBack() throws Exception {
    restartStack();
    deleteTestVms();
  }

  @Test
  void aDeadAgentMakesItsNodeUnreachableThenDownAndPlacementPassesItBy() throws Exception {
    assertThat(node("node-2").path("health").asString()).isEqualTo("up");
    assertThat(node("node-2").path("lastContactAt").isString()).isTrue();

    kill("agent-node-2");
    long killed = System.nanoTime();
    long unreachableMs = awaitHealth("node-2", "unreachable", Duration.ofSeconds(30), killed);
    long downMs = awaitHealth("node-2", "down", Duration.ofSeconds(90), killed);
    assertThat(node("node-1").path("health").asString()).isEqualTo("up");

    var tenant = newTenant(2, 2, 512);
    var elsewhere = call("createVm", tenant.token(), vm("placed-away"));
    assertThat(elsewhere.status()).as(elsewhere.body().toString()).isEqualTo(200);
    assertThat(elsewhere.text("nodeId")).as("a down node takes no VM").isEqualTo("node-1");
    var refused = call("createVm", tenant.token(), vm("on-down", "nodeId", "node-2"));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text("code")).isEqualTo("no_capacity");

    restartStack();
    long back = System.nanoTime();
    long upMs = awaitHealth("node-2", "up", Duration.ofSeconds(20), back);
    System.out.printf(
        "node-2's agent killed: unreachable after %d ms, down after %d ms;"
            + " up again %d ms after the agent was back%n",
        unreachableMs, downMs, upMs);
    assertThat(node("node-2").path("missedPolls").asInt()).isZero();
    call("deleteVm", tenant.token(), Map.of("vmId", elsewhere.text("vmId"), "awaitResult", true));
  }

  static JsonNode node(String nodeId) {
    for (var n : call("listNodes", ADMIN, Map.of()).body().path("nodes")) {
      if (n.path("node").path("id").asString().equals(nodeId)) {
        return n.path("node");
      }
    }
    throw new AssertionError("no node " + nodeId);
  }

  /** Milliseconds from {@code since} until listNodes shows the health, within the deadline. */
  static long awaitHealth(String nodeId, String health, Duration deadline, long since) {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (node(nodeId).path("health").asString().equals(health)) {
        return (System.nanoTime() - since) / 1_000_000;
      }
      sleep(250);
    }
    throw new AssertionError(
        nodeId + " not " + health + " within " + deadline + ": " + node(nodeId));
  }
}
