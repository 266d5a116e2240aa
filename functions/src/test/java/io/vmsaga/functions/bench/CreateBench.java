package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.*;

import io.vmsaga.functions.e2e.Stack.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * createVm/deleteVm through the whole running stack: N VMs one at a time, then N at concurrency C.
 * Prints p50/p95 saga latency (request to saga finished), VMs/s, and the orchestration overhead:
 * saga latency minus the agent-side time its steps spent (summed from the agents' access logs by
 * gid). Run by `scripts/dev bench`; arguments: N C.
 */
public final class CreateBench {
  private static final Pattern ACCESS = Pattern.compile(" (\\d+)ms gid=(\\S+)$");

  record Sample(String vmId, String gid, long nanos) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    var tenant = newTenant(4 * n, 4 * n, 4 * n * 256);
    try {
      for (int c : new int[] {1, concurrency}) {
        Batch created = run(n, c, i -> create(tenant.token(), "b" + c + "-" + i));
        report("create, " + c + " at a time", created);
        report(
            "delete, " + c + " at a time",
            run(n, c, i -> delete(tenant.token(), created.samples().get(i).vmId())));
      }
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

  static void report(String what, Batch batch) throws IOException {
    List<Sample> samples = batch.samples();
    Map<String, Long> agentMs = agentTimeByGid();
    List<Long> latencies = new ArrayList<>();
    List<Long> overheads = new ArrayList<>();
    for (Sample s : samples) {
      long ms = s.nanos() / 1_000_000;
      latencies.add(ms);
      overheads.add(ms - agentMs.getOrDefault(s.gid(), 0L));
    }
    long agentTotal = samples.stream().mapToLong(s -> agentMs.getOrDefault(s.gid(), 0L)).sum();
    long latencyTotal = latencies.stream().mapToLong(Long::longValue).sum();
    System.out.printf(
        "%-26s n=%-3d p50 %5d ms  p95 %5d ms  %6.2f ops/s  agent-side p50 %4d ms  "
            + "orchestration overhead p50 %4d ms (%.0f%% of saga latency)%n",
        what,
        samples.size(),
        percentile(latencies, 50),
        percentile(latencies, 95),
        samples.size() / (batch.wallNanos() / 1e9),
        percentile(samples.stream().map(s -> agentMs.getOrDefault(s.gid(), 0L)).toList(), 50),
        percentile(overheads, 50),
        100.0 * (latencyTotal - agentTotal) / latencyTotal);
  }

  /** Milliseconds each saga's steps spent inside the agents, from their access logs. */
  static Map<String, Long> agentTimeByGid() throws IOException {
    Map<String, Long> byGid = new java.util.HashMap<>();
    for (String node : NODES) {
      for (String line :
          Files.readAllLines(Path.of(env("VMSAGA_HOME"), "logs", "agent-" + node + ".log"))) {
        // the dev stack's agents log JSON lines; a request line has ms and, when sent, the gid
        if (line.startsWith("{")) {
          var fields = JSON.readTree(line);
          if (fields.has("ms") && fields.has("gid")) {
            byGid.merge(fields.path("gid").asString(), fields.path("ms").asLong(), Long::sum);
          }
          continue;
        }
        Matcher m = ACCESS.matcher(line);
        if (m.find()) {
          byGid.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
        }
      }
    }
    return byGid;
  }

  static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
