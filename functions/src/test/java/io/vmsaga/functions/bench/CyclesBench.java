package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the processes stay the same size as work passes through them: N create+delete cycles, C
 * at a time (default 60, 4), with the threads, open fds and RSS of the functions app and of the
 * agents (summed) read from /proc before and after, and the barrier rows the cycles left. Both are
 * read once the stack has had a few seconds to settle, as an operator would see it. Arguments: N C.
 */
public final class CyclesBench {
  private static final List<String> PROCESSES = List.of("functions", "agent");

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    var tenant = newTenant(2 * n, 2 * n, 2 * n * 256);
    Map<String, Long> before;
    Map<String, Long> after;
    long barrierBefore;
    try {
      // a first round fills the pools (database, HTTP connections to DTM and to each agent) that
      // then stay as they are: "before" is the stack at work, not the stack before its first call
      cycles(tenant.token(), concurrency, concurrency);
      sleep(5_000);
      before = sample();
      barrierBefore = number("SELECT COUNT(*) FROM dtm_barrier");
      cycles(tenant.token(), n, concurrency);
      sleep(5_000);
      after = sample();
    } finally {
      deleteTestVms();
    }
    double barrierPerCycle =
        (number("SELECT COUNT(*) FROM dtm_barrier") - barrierBefore) / (double) n;
    System.out.printf("%d create+delete cycles, %d at a time:%n", n, concurrency);
    before.forEach(
        (key, value) -> {
          System.out.printf("  %-22s %6d -> %6d%n", key, value, after.get(key));
          BenchValues.put("cycles." + key + ".before", value);
          BenchValues.put("cycles." + key + ".after", after.get(key));
        });
    int retentionDays =
        Integer.parseInt(System.getenv().getOrDefault("VMSAGA_BARRIER_RETENTION_DAYS", "7"));
    System.out.printf(
        "  barrier rows: +%.1f per cycle; BarrierRetention deletes rows older than %d days%n",
        barrierPerCycle, retentionDays);
    BenchValues.put("cycles.n", n);
    BenchValues.put("cycles.concurrency", concurrency);
    BenchValues.put("cycles.barrier.perCycle", barrierPerCycle);
    BenchValues.put("cycles.barrier.retentionDays", retentionDays);
  }

  private static void cycles(String token, int n, int concurrency) throws Exception {
    CreateBench.run(
        n, concurrency, i -> CreateBench.delete(token, CreateBench.create(token, "cy" + i).vmId()));
  }

  /** threads, fds and RSS (MB) of the functions app and of the agents together. */
  static Map<String, Long> sample() throws IOException {
    Map<String, Long> values = new TreeMap<>();
    Path run = Path.of(env("VMSAGA_HOME"), "run");
    for (String process : PROCESSES) {
      try (var pidfiles = Files.list(run)) {
        for (Path pidfile :
            pidfiles.filter(p -> p.getFileName().toString().startsWith(process)).toList()) {
          Path proc = Path.of("/proc", Files.readString(pidfile).trim());
          long threads = 0;
          long rssKb = 0;
          for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("Threads:")) {
              threads = Long.parseLong(line.substring(8).trim());
            } else if (line.startsWith("VmRSS:")) {
              rssKb = Long.parseLong(line.substring(6).replace("kB", "").trim());
            }
          }
          long fds;
          try (var open = Files.list(proc.resolve("fd"))) {
            fds = open.count();
          }
          values.merge(process + ".threads", threads, Long::sum);
          values.merge(process + ".fds", fds, Long::sum);
          values.merge(process + ".rssMb", rssKb / 1024, Long::sum);
        }
      }
    }
    return values;
  }
}
