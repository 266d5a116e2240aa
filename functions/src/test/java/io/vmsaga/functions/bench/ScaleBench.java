package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * createVm p50 (N one at a time, each deleted again) with 0, then S, then 2S VMs already on the
 * nodes (default N 10, S 100): whether a create costs more as the records, disks, taps and QEMUs
 * grow. The VMs that fill the nodes come from batchCreateVms and are then paused: under TCG an idle
 * guest still costs about 1.4% of a core in timer emulation, so 200 of them would take more than
 * this machine's two cores and the run would measure the emulator, not the control plane. The nodes
 * are registered with a 64:1 vCPU overcommit for the run, as BatchBench does.
 */
public final class ScaleBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int step = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    var tenant = newTenant(2 * step + n, 2 * step + n, (2 * step + n) * 128);
    BatchBench.overcommit(64.0);
    BenchValues.put("scale.step", step);
    try {
      for (int present = 0; present <= 2 * step; present += step) {
        if (present > 0) {
          fill(tenant.token(), step, present);
        }
        var created = CreateBench.run(n, 1, i -> CreateBench.create(tenant.token(), "sc" + i));
        CreateBench.run(
            n, 1, i -> CreateBench.delete(tenant.token(), created.samples().get(i).vmId()));
        long p50 =
            CreateBench.percentile(
                created.samples().stream().map(s -> s.nanos() / 1_000_000).toList(), 50);
        System.out.printf(
            "createVm with %3d VMs on the nodes: p50 %d ms (n=%d, as a caller sees it)%n",
            present, p50, n);
        BenchValues.put("scale.p50." + present / step + "x", p50);
        SagaTimeline.printSteps(
            "createVm with " + present + " VMs on the nodes",
            CreateBench.timeline(created).values());
      }
    } finally {
      deleteTestVms();
      BatchBench.overcommit(4.0);
    }
  }

  /** {@code count} more VMs of 64 MiB by one batch, each paused once it runs. */
  private static void fill(String token, int count, int upTo) {
    List<Map<String, Object>> vms = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      var body = vm("fill" + (upTo - count + i));
      body.remove("awaitResult");
      body.put("memoryMib", 64);
      vms.add(body);
    }
    var submitted = call("batchCreateVms", token, Map.of("vms", vms, "concurrency", 10));
    if (submitted.status() / 100 != 2) {
      throw new IllegalStateException("batchCreateVms: " + submitted.body());
    }
    JsonNode batch;
    do {
      sleep(200);
      batch = call("getBatch", token, Map.of("batchId", submitted.text("batchId"))).body();
    } while (!batch.path("state").asString().equals("done"));
    if (batch.path("counts").path("succeeded").asInt() != count) {
      throw new IllegalStateException("the batch did not create every VM: " + batch.path("counts"));
    }
    for (JsonNode item : batch.path("items")) {
      var paused = call("pauseVm", token, Map.of("vmId", item.path("vmId").asString()));
      if (paused.status() != 200) {
        throw new IllegalStateException("pauseVm: " + paused.body());
      }
    }
  }
}
