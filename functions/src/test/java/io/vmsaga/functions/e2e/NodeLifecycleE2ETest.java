package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A third node joins at run time (its agent started by the test and registered), takes VMs, and is
 * replaced: a fourth node registered, the third drained — the guest on shared disks moves live (its
 * boot id unchanged), the VM on a local disk cold, both to the new, emptiest node — and removed.
 * Refusals: removing a node that is not drained, a drain with nowhere to go.
 */
class NodeLifecycleE2ETest {
  static final String ADMIN = env("VMSAGA_ADMIN_TOKEN");
  static final String NODE = "node-3";
  static final String REPLACEMENT = "node-4";

  @BeforeEach
  void startThirdNode() throws Exception {
    run(root("scripts/dev"), "agent", "start", NODE, "7703");
    assertThat(node(NODE).path("health").asString()).isEqualTo("up");
  }

  @AfterEach
  void stopThirdNode() throws Exception {
    deleteTestVms();
    if (node(NODE) != null) {
      call("undrainNode", ADMIN, Map.of("nodeId", NODE));
      call("drainNode", ADMIN, Map.of("nodeId", NODE, "awaitResult", true));
      call("removeNode", ADMIN, Map.of("nodeId", NODE));
    }
    run(root("scripts/dev"), "agent", "stop", NODE);
    if (node(REPLACEMENT) != null) {
      call("drainNode", ADMIN, Map.of("nodeId", REPLACEMENT, "awaitResult", true));
      call("removeNode", ADMIN, Map.of("nodeId", REPLACEMENT));
      run(root("scripts/dev"), "agent", "stop", REPLACEMENT);
    }
  }

  @Test
  void aNodeIsReplacedItsVmsRunningOnTheNewOne() throws Exception {
    var tenant = newTenant(4, 8, 2048);
    var guest = GuestE2ETest.boot(tenant, "drain-shared", NODE, true);
    String bootId = guest.status().path("bootId").asString();
    var local = call("createVm", tenant.token(), vm("drain-local", "nodeId", NODE));
    assertThat(local.status()).as(local.body().toString()).isEqualTo(200);

    var early = call("removeNode", ADMIN, Map.of("nodeId", NODE));
    assertThat(early.status()).isEqualTo(409);
    assertThat(early.text("code")).isEqualTo("not_drained");

    // the replacement: registered, then the old node drained onto it
    run(root("scripts/dev"), "agent", "start", REPLACEMENT, "7704");
    assertThat(node(REPLACEMENT).path("status").asString()).isEqualTo("active");
    var nowhere =
        call("drainNode", ADMIN, Map.of("nodeId", NODE, "targetNodeIds", List.of("node-9")));
    assertThat(nowhere.text("code")).isEqualTo("node_unavailable");
    long started = System.nanoTime();
    var drained =
        call(
            "drainNode",
            ADMIN,
            Map.of("nodeId", NODE, "targetNodeIds", List.of(REPLACEMENT), "awaitResult", true));
    long drainMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(drained.status()).as(drained.body().toString()).isEqualTo(200);
    var report = drained.body();
    assertThat(report.path("state").asString()).isEqualTo("drained");
    assertThat(report.path("nodeStatus").asString()).isEqualTo("drained");
    assertThat(report.path("moved").asInt()).isEqualTo(2);
    assertThat(kindOf(report, guest.vmId())).isEqualTo("live");
    assertThat(kindOf(report, local.text("vmId"))).isEqualTo("cold");
    for (String vmId : new String[] {guest.vmId(), local.text("vmId")}) {
      var view = call("getVm", tenant.token(), Map.of("vmId", vmId)).body();
      assertThat(view.path("nodeId").asString()).isEqualTo(REPLACEMENT);
      assertThat(view.path("state").asString()).isEqualTo("running");
    }
    var after = GuestProbe.awaitStatus(guest.address(), Duration.ofSeconds(20), s -> true);
    assertThat(after.path("bootId").asString()).as("a live move: same boot").isEqualTo(bootId);

    var removed = call("removeNode", ADMIN, Map.of("nodeId", NODE));
    assertThat(removed.status()).as(removed.body().toString()).isEqualTo(200);
    assertThat(removed.body().path("agentReached").asBoolean()).isTrue();
    assertThat(node(NODE)).as("gone from listNodes").isNull();
    assertThat(number("SELECT COUNT(*) FROM node WHERE id = ?", NODE)).isZero();
    assertThat(agent(NODE).getCachedImage(tinyImage())).as("its cached image forgotten").isEmpty();

    // a bare live migration of the same guest, for the note's comparison
    String to = "node-1";
    long bare = System.nanoTime();
    var moved =
        call(
            "migrateVm",
            tenant.token(),
            Map.of("vmId", guest.vmId(), "targetNodeId", to, "awaitResult", true));
    long bareMs = (System.nanoTime() - bare) / 1_000_000;
    assertThat(moved.status()).as(moved.body().toString()).isEqualTo(200);
    System.out.printf(
        "drain of %s: 2 VMs in %d ms (live %d ms, cold %d ms as the moves' sagas ran);"
            + " a bare migrateVm of the same guest: %d ms%n",
        NODE,
        drainMs,
        item(report, guest.vmId()).path("moveMs").asLong(),
        item(report, local.text("vmId")).path("moveMs").asLong(),
        bareMs);
  }

  @Test
  void aVmThatFitsNowhereElseStopsTheDrainAndTheNodeStaysDraining() throws Exception {
    // node-3 with 16 vCPUs: a 12-vCPU VM fits there and on no other node (8 each)
    var registered =
        call(
            "registerNode",
            ADMIN,
            Map.of("nodeId", NODE, "agentUrl", "http://127.0.0.1:7703", "cpuOvercommit", 8.0));
    assertThat(registered.status()).as(registered.body().toString()).isEqualTo(200);
    var tenant = newTenant(2, 12, 1024);
    var big = call("createVm", tenant.token(), with(vm("too-big", "nodeId", NODE), "vcpus", 12));
    assertThat(big.status()).as(big.body().toString()).isEqualTo(200);

    var drain = call("drainNode", ADMIN, Map.of("nodeId", NODE, "awaitResult", true));

    assertThat(drain.status()).as(drain.body().toString()).isEqualTo(409);
    assertThat(drain.text("code")).isEqualTo("drain_stopped");
    var report = drain.body().path("drain");
    assertThat(report.path("nodeStatus").asString()).isEqualTo("draining");
    assertThat(item(report, big.text("vmId")).path("code").asString()).isEqualTo("no_capacity");
    assertThat(call("getVm", tenant.token(), Map.of("vmId", big.text("vmId"))).text("nodeId"))
        .isEqualTo(NODE);
    var create = call("createVm", tenant.token(), vm("not-on-draining", "nodeId", NODE));
    assertThat(create.status()).as("a draining node takes no VM").isEqualTo(409);

    var refused = call("removeNode", ADMIN, Map.of("nodeId", NODE));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text("code")).isEqualTo("not_drained");

    var undrained = call("undrainNode", ADMIN, Map.of("nodeId", NODE));
    assertThat(undrained.status()).as(undrained.body().toString()).isEqualTo(200);
    assertThat(node(NODE).path("status").asString()).isEqualTo("active");
    assertThat(call("undrainNode", ADMIN, Map.of("nodeId", NODE)).text("code"))
        .isEqualTo("not_draining");
  }

  static JsonNode item(JsonNode report, String vmId) {
    return StreamSupport.stream(report.path("vms").spliterator(), false)
        .filter(i -> i.path("vmId").asString().equals(vmId))
        .findFirst()
        .orElseThrow(() -> new AssertionError(vmId + " not in " + report));
  }

  static String kindOf(JsonNode report, String vmId) {
    return item(report, vmId).path("kind").asString();
  }

  static JsonNode node(String nodeId) {
    for (var n : call("listNodes", ADMIN, Map.of()).body().path("nodes")) {
      if (n.path("node").path("id").asString().equals(nodeId)) {
        return n.path("node");
      }
    }
    return null;
  }

  static String root(String path) {
    return java.nio.file.Path.of(System.getProperty("vmsaga.root"), path).toString();
  }
}
