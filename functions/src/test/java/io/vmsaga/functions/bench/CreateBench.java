package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.*;

import io.vmsaga.functions.e2e.Stack.Reply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * createVm/deleteVm through the whole running stack: N VMs one at a time, then N at concurrency C.
 * Prints, as a caller sees it (awaitResult), p50/p95 latency and VMs/s; the saga's own span (its
 * submission to its last step, from the functions' log); the agent-side time its steps spent (from
 * the agents' access logs by gid) and the rest, orchestration; and, one at a time, where each
 * step's time went ({@link SagaTimeline}). Run by `scripts/dev bench`; arguments: N C.
 */
public final class CreateBench {
  record Sample(String vmId, String gid, long nanos) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    var tenant = newTenant(4 * n, 4 * n, 4 * n * 256);
    try {
      for (int c : new int[] {1, concurrency}) {
        Batch created = run(n, c, i -> create(tenant.token(), "b" + c + "-" + i));
        String as = c == 1 ? "create" : "create.concurrent";
        report("create, " + c + " at a time", created, as);
        Batch deleted = run(n, c, i -> delete(tenant.token(), created.samples().get(i).vmId()));
        report("delete, " + c + " at a time", deleted, c == 1 ? "delete" : "delete.concurrent");
        if (c == 1) {
          SagaTimeline.printSteps("createVm", timeline(created).values());
          SagaTimeline.printSteps("deleteVm", timeline(deleted).values());
        }
      }
      BenchValues.put("create.concurrency", concurrency);
    } finally {
      deleteTestVms();
    }
  }

  record Batch(List<Sample> samples, long wallNanos) {}

  interface Op {
    Sample run(int i) throws Exception;
  }

  static Batch run(int n, int concurrency, Op op) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Callable<Sample>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        calls.add(() -> op.run(index));
      }
      long start = System.nanoTime();
      List<Sample> samples = new ArrayList<>();
      for (Future<Sample> f : pool.invokeAll(calls)) {
        samples.add(f.get());
      }
      return new Batch(samples, System.nanoTime() - start);
    } finally {
      pool.shutdown();
    }
  }

  static Sample create(String token, String name) {
    long start = System.nanoTime();
    Reply reply = call("createVm", token, vm(name));
    long took = System.nanoTime() - start;
    if (reply.status() != 200) {
      throw new IllegalStateException("create failed: " + reply.body());
    }
    return new Sample(reply.text("vmId"), reply.text("gid"), took);
  }

  static Sample delete(String token, String vmId) {
    long start = System.nanoTime();
    Reply reply = call("deleteVm", token, Map.of("vmId", vmId, "awaitResult", true));
    long took = System.nanoTime() - start;
    if (reply.status() != 200) {
      throw new IllegalStateException("delete failed: " + reply.body());
    }
    return new Sample(vmId, reply.text("gid"), took);
  }

  /** Prints a line of the batch and records its values under {@code key}. */
  static void report(String what, Batch batch, String key) throws IOException {
    List<Sample> samples = batch.samples();
    Map<String, SagaTimeline.Saga> sagas = timeline(batch);
    List<Long> latencies = samples.stream().map(s -> s.nanos() / 1_000_000).toList();
    List<Long> spans = sagas.values().stream().map(SagaTimeline.Saga::spanMs).toList();
    List<Long> agent = sagas.values().stream().map(SagaTimeline.Saga::agentMs).toList();
    List<Long> rest = sagas.values().stream().map(s -> s.spanMs() - s.agentMs()).toList();
    double perSecond = samples.size() / (batch.wallNanos() / 1e9);
    System.out.printf(
        "%-22s n=%-3d caller p50 %5d ms p95 %5d ms  %6.2f ops/s | saga p50 %4d ms:"
            + " agent-side %4d ms, orchestration %4d ms%n",
        what,
        samples.size(),
        percentile(latencies, 50),
        percentile(latencies, 95),
        perSecond,
        percentile(spans, 50),
        percentile(agent, 50),
        percentile(rest, 50));
    BenchValues.put(key + ".caller.p50", percentile(latencies, 50));
    BenchValues.put(key + ".saga.p50", percentile(spans, 50));
    BenchValues.put(key + ".agent.p50", percentile(agent, 50));
    BenchValues.put(key + ".p50", percentile(latencies, 50));
    BenchValues.put(key + ".vmsPerSecond", perSecond);
  }

  static Map<String, SagaTimeline.Saga> timeline(Batch batch) throws IOException {
    return SagaTimeline.of(batch.samples().stream().map(Sample::gid).toList());
  }

  static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
