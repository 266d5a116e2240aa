package io.vmsaga.functions.e2e;

import static io.vmsaga.functions.e2e.Stack.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * batchCreateVms: each VM its own createVm saga, at most {@code concurrency} at once, failures with
 * their reason, failFast, sub-batches past 100, and a batch that outlives the functions app.
 */
class BatchE2ETest {
  static final Duration DONE_WITHIN = Duration.ofMinutes(4);

  @AfterEach
  void deleteLeftovers() {
    deleteTestVms();
  }

  @Test
  void elevenOfTwelveSucceedAndTheImpossibleOneSaysWhy() {
    Tenant tenant = newTenant(12, 12, 12 * 128);
    var reply = submit(tenant, bodies(12, 7), 4, false);
    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(202);
    String batchId = reply.text("batchId");

    int mostRunning = 0;
    JsonNode batch = getBatch(tenant, batchId);
    long end = System.nanoTime() + DONE_WITHIN.toNanos();
    while (!batch.path("state").asString().equals("done") && System.nanoTime() < end) {
      mostRunning = Math.max(mostRunning, batch.path("counts").path("running").asInt());
      sleep(200);
      batch = getBatch(tenant, batchId);
    }
    System.out.println("batch of 12 at concurrency 4: " + batch.path("durationMs") + " ms");
    assertThat(batch.path("state").asString()).as(batch.toString()).isEqualTo("done");
    assertThat(mostRunning).as("creates running at once").isBetween(1, 4);
    assertThat(batch.path("counts").path("succeeded").asInt()).isEqualTo(11);
    assertThat(batch.path("counts").path("failed").asInt()).isEqualTo(1);
    JsonNode failed = batch.path("items").get(7);
    assertThat(failed.path("status").asString()).isEqualTo("failed");
    assertThat(failed.path("error").path("code").asString()).isEqualTo("no_capacity");
    for (JsonNode item : batch.path("items")) {
      if (item.path("status").asString().equals("succeeded")) {
        assertThat(item.path("durationMs").asLong()).as(item.toString()).isPositive();
        assertThat(item.path("dtmUrl").asString()).contains("/admin/global-transactions/");
        assertThat(
                call("getVm", tenant.token(), Map.of("vmId", item.path("vmId").asString()))
                    .text("state"))
            .isEqualTo("running");
      }
    }
    assertThat(number("SELECT COUNT(*) FROM vm WHERE tenant_id = ?", tenant.id())).isEqualTo(11);
    assertAccountingExact(tenant.id());
  }

  @Test
  void failFastStopsStartingAfterTheFirstFailure() {
    Tenant tenant = newTenant(12, 12, 12 * 128);
    var reply = submit(tenant, bodies(12, 5), 4, true);
    JsonNode batch = awaitDone(tenant, reply.text("batchId"));

    assertThat(batch.path("counts").path("failed").asInt()).isEqualTo(1);
    assertThat(batch.path("counts").path("succeeded").asInt())
        .as("those started before the failure stay")
        .isEqualTo(5);
    assertThat(batch.path("counts").path("skipped").asInt()).isEqualTo(6);
    for (int i = 6; i < 12; i++) {
      assertThat(batch.path("items").get(i).path("status").asString()).isEqualTo("skipped");
      assertThat(batch.path("items").get(i).path("vmId").isNull()).isTrue();
    }
    assertThat(number("SELECT COUNT(*) FROM vm WHERE tenant_id = ?", tenant.id())).isEqualTo(5);
    assertAccountingExact(tenant.id());
  }

  @Test
  void aBatchOutlivesTheFunctionsAppKilledInTheMiddle() throws Exception {
    Tenant tenant = newTenant(12, 12, 12 * 128);
    var reply = submit(tenant, bodies(12, -1), 3, false);
    String batchId = reply.text("batchId");
    JsonNode batch = getBatch(tenant, batchId);
    while (batch.path("counts").path("succeeded").asInt() < 3) {
      sleep(100);
      batch = getBatch(tenant, batchId);
    }
    kill("functions");
    sleep(2000);
    restartStack();

    batch = awaitDone(tenant, batchId);
    assertThat(batch.path("counts").path("succeeded").asInt()).as(batch.toString()).isEqualTo(12);
    Set<String> vmIds = new HashSet<>();
    batch.path("items").forEach(i -> vmIds.add(i.path("vmId").asString()));
    assertThat(vmIds).hasSize(12);
    assertThat(strings("SELECT id FROM vm WHERE tenant_id = ?", tenant.id()))
        .as("no VM lost, none twice")
        .containsExactlyInAnyOrderElementsOf(vmIds);
    assertAccountingExact(tenant.id());
  }

  @Test
  void aBatchOfOneHundredFiftyRunsAsTwoSubBatches() {
    Tenant tenant = newTenant(4, 4, 1024);
    List<Map<String, Object>> vms = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      // two real VMs, one per sub-batch; the others name a network that does not exist
      vms.add(
          i == 0 || i == 120
              ? vm("real-" + i)
              : with(vm("none-" + i), "networkId", "no-such-network"));
    }
    var reply = submit(tenant, vms, 5, false);
    assertThat(reply.status()).isEqualTo(202);
    assertThat(reply.body().path("subBatches")).hasSize(2);

    JsonNode batch = awaitDone(tenant, reply.text("batchId"));
    assertThat(batch.path("size").asInt()).isEqualTo(150);
    assertThat(batch.path("subBatches")).hasSize(2);
    assertThat(batch.path("counts").path("succeeded").asInt()).isEqualTo(2);
    assertThat(batch.path("counts").path("failed").asInt()).isEqualTo(148);
    assertThat(batch.path("items").get(42).path("error").path("code").asString())
        .isEqualTo("not_found");
    assertThat(batch.path("items").get(149).path("index").asInt()).isEqualTo(149);
    JsonNode second = getBatch(tenant, batch.path("subBatches").get(1).asString());
    assertThat(second.path("size").asInt()).isEqualTo(50);
    assertThat(second.path("items").get(0).path("index").asInt()).isEqualTo(100);
    assertAccountingExact(tenant.id());
  }

  @Test
  void badItemsAreRefusedWithTheirIndexAndNothingIsMade() {
    Tenant tenant = newTenant(4, 4, 1024);
    long batches = number("SELECT COUNT(*) FROM batch");
    var bad = bodies(3, -1);
    bad.set(2, with(vm("x"), "vcpus", 0));
    var refused = submit(tenant, bad, 2, false);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.text("message")).startsWith("vms[2]:");
    assertThat(submit(tenant, List.of(), 2, false).status()).isEqualTo(400);
    assertThat(submit(tenant, bodies(2, -1), 99, false).status()).isEqualTo(400);
    assertThat(number("SELECT COUNT(*) FROM batch")).isEqualTo(batches);
    assertThat(
            call("getBatch", tenant.token(), Map.of("batchId", "batch-0000000000000000")).status())
        .isEqualTo(404);
  }

  /** {@code count} small VMs; the one at {@code impossible} asks for more memory than any node. */
  static List<Map<String, Object>> bodies(int count, int impossible) {
    List<Map<String, Object>> vms = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      var body = vm("b" + i);
      body.remove("awaitResult");
      if (i == impossible) {
        body.put("memoryMib", 1024 * 1024);
      }
      vms.add(body);
    }
    return vms;
  }

  static Reply submit(
      Tenant tenant, List<Map<String, Object>> vms, int concurrency, boolean failFast) {
    return call(
        "batchCreateVms",
        tenant.token(),
        Map.of("vms", vms, "concurrency", concurrency, "failFast", failFast));
  }

  static JsonNode getBatch(Tenant tenant, String batchId) {
    var reply = call("getBatch", tenant.token(), Map.of("batchId", batchId));
    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
    return reply.body();
  }

  static JsonNode awaitDone(Tenant tenant, String batchId) {
    long end = System.nanoTime() + DONE_WITHIN.toNanos();
    JsonNode batch = getBatch(tenant, batchId);
    while (!batch.path("state").asString().equals("done") && System.nanoTime() < end) {
      sleep(250);
      batch = getBatch(tenant, batchId);
    }
    assertThat(batch.path("state").asString()).as(batch.toString()).isEqualTo("done");
    return batch;
  }
}
