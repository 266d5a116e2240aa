package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A batch of N creates (batchCreateVms at concurrency C) next to N single createVm calls at the
 * same concurrency, in one run: VMs/s of each and the batch's own overhead per VM. The nodes are
 * registered again with a 64:1 vCPU overcommit for the run, so they hold N VMs that boot nothing,
 * and put back as `scripts/dev up` registers them afterwards. Arguments: N C.
 */
public final class BatchBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    var tenant = newTenant(n, n, n * 128, n);
    overcommit(64.0);
    try {
      var singles =
          CreateBench.run(n, concurrency, i -> CreateBench.create(tenant.token(), "s" + i));
      double singleSeconds = singles.wallNanos() / 1e9;
      CreateBench.run(
          n, concurrency, i -> CreateBench.delete(tenant.token(), singles.samples().get(i).vmId()));

      List<Map<String, Object>> vms = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        var body = vm("m" + i);
        body.remove("awaitResult");
        vms.add(body);
      }
      long start = System.nanoTime();
      var submitted =
          call("batchCreateVms", tenant.token(), Map.of("vms", vms, "concurrency", concurrency));
      long acceptedNanos = System.nanoTime() - start;
      String batchId = submitted.text("batchId");
      JsonNode batch;
      do {
        sleep(50);
        batch = call("getBatch", tenant.token(), Map.of("batchId", batchId)).body();
      } while (!batch.path("state").asString().equals("done"));
      double batchSeconds = (System.nanoTime() - start) / 1e9;
      if (batch.path("counts").path("succeeded").asInt() != n) {
        throw new IllegalStateException("batch did not create every VM: " + batch.path("counts"));
      }
      List<Long> itemMs = new ArrayList<>();
      batch.path("items").forEach(item -> itemMs.add(item.path("durationMs").asLong()));

      BenchValues.put("batch.n", n);
      BenchValues.put("batch.vmsPerSecond", n / batchSeconds);
      BenchValues.put("batch.itemP95", CreateBench.percentile(itemMs, 95));
      System.out.printf(
          "%d single createVm calls, %d at a time:   %6.2f VMs/s  (%.1f s)%n",
          n, concurrency, n / singleSeconds, singleSeconds);
      System.out.printf(
          "batchCreateVms of %d, concurrency %d:     %6.2f VMs/s  (%.1f s; answered in %d ms;"
              + " item p50 %d ms, p95 %d ms)%n",
          n,
          concurrency,
          n / batchSeconds,
          batchSeconds,
          acceptedNanos / 1_000_000,
          CreateBench.percentile(itemMs, 50),
          CreateBench.percentile(itemMs, 95));
      System.out.printf(
          "batch overhead: %+.0f ms per VM (batch %.2fx the single calls' wall time)%n",
          (batchSeconds - singleSeconds) * 1000 / n, batchSeconds / singleSeconds);
    } finally {
      deleteTestVms();
      overcommit(4.0);
    }
  }

  /**
   * Registers the dev nodes again with this vCPU overcommit (their URLs as scripts/dev has them).
   */
  static void overcommit(double ratio) {
    for (String node : NODES) {
      var reply =
          call(
              "registerNode",
              env("VMSAGA_ADMIN_TOKEN"),
              Map.of(
                  "nodeId",
                  node,
                  "agentUrl",
                  "http://127.0.0.1:" + (node.equals("node-1") ? 7701 : 7702),
                  "cpuOvercommit",
                  ratio));
      if (reply.status() != 200) {
        throw new IllegalStateException("registerNode " + node + ": " + reply.body());
      }
    }
  }
}
