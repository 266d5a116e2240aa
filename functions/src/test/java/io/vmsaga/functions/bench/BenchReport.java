package io.vmsaga.functions.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 15's table from the values one `scripts/dev bench` run recorded ({@link BenchValues}): each
 * row with what was measured, the ratio the goal is stated in, the goal, and whether it is met. A
 * row whose part did not run (a smoke run skips the long ones) says so. Argument: the values file.
 */
public final class BenchReport {
  private final Map<String, Double> v;
  private final List<String[]> rows = new ArrayList<>();

  private BenchReport(Map<String, Double> values) {
    this.v = values;
  }

  public static void main(String[] args) throws Exception {
    new BenchReport(BenchValues.read(Path.of(args[0]))).print();
  }

  private void print() {
    if (has("create.saga.p50", "create.agent.p50")) {
      double ratio = v("create.saga.p50") / v("create.agent.p50");
      row(
          "createVm saga p50, one at a time",
          fmt(
              "%.0f ms, agent-side %.0f ms: %.2fx",
              v("create.saga.p50"), v("create.agent.p50"), ratio),
          "<= 1.3x its agent-side time",
          ratio <= 1.3);
    } else {
      missing("createVm saga p50, one at a time");
    }
    if (has("create.caller.p50", "direct.disk.p50", "direct.tap.p50", "direct.start.p50")) {
      double direct = v("direct.disk.p50") + v("direct.tap.p50") + v("direct.start.p50");
      double ratio = v("create.caller.p50") / direct;
      row(
          "createVm with awaitResult, as a caller sees it",
          fmt("p50 %.0f ms; direct work %.0f ms: %.2fx", v("create.caller.p50"), direct, ratio),
          "<= 2x the direct work",
          ratio <= 2);
    } else {
      missing("createVm with awaitResult, as a caller sees it");
    }
    if (has("create.concurrent.vmsPerSecond")) {
      row(
          fmt("creates at concurrency %.0f", v("create.concurrency")),
          fmt(
              "%.2f VMs/s, p50 %.0f ms",
              v("create.concurrent.vmsPerSecond"), v("create.concurrent.p50")),
          "(see the batch row)",
          null);
    }
    if (has("batch.vmsPerSecond", "batch.itemP95")) {
      row(
          fmt("batchCreateVms of %.0f", v("batch.n")),
          fmt("%.2f VMs/s, item p95 %.0f ms", v("batch.vmsPerSecond"), v("batch.itemP95")),
          ">= 15 VMs/s, p95 <= 2 s",
          v("batch.vmsPerSecond") >= 15 && v("batch.itemP95") <= 2000);
    } else {
      missing("batchCreateVms of 100");
    }
    if (has("delete.saga.p50")) {
      row(
          "deleteVm saga p50",
          fmt("%.0f ms (agent-side %.0f ms)", v("delete.saga.p50"), v("delete.agent.p50")),
          "<= 200 ms",
          v("delete.saga.p50") <= 200);
    } else {
      missing("deleteVm saga p50");
    }
    for (String[] op :
        new String[][] {
          {"disk", "disk create"}, {"tap", "tap create"}, {"start", "QEMU start to QMP ready"}
        }) {
      if (has("agent." + op[0] + ".p50", "direct." + op[0] + ".p50")) {
        double ratio = v("agent." + op[0] + ".p50") / v("direct." + op[0] + ".p50");
        row(
            "agent vs direct: " + op[1],
            fmt(
                "%.1f ms vs %.1f ms: %.2fx",
                v("agent." + op[0] + ".p50"), v("direct." + op[0] + ".p50"), ratio),
            "<= 1.2x",
            ratio <= 1.2);
      } else {
        missing("agent vs direct: " + op[1]);
      }
    }
    if (has("agent.qmp.p50", "direct.qmp.p50")) {
      row(
          "QMP round trip through the agent",
          fmt("p50 %.2f ms vs %.2f ms direct", v("agent.qmp.p50"), v("direct.qmp.p50")),
          "<= 1 ms p50",
          v("agent.qmp.p50") <= 1);
    } else {
      missing("QMP round trip through the agent");
    }
    if (has("migrate.saga.p50", "migrate.bare.p50")) {
      double ratio = v("migrate.saga.p50") / v("migrate.bare.p50");
      row(
          "migrateVm saga vs bare QEMU migration",
          fmt("%.0f ms vs %.0f ms: %.2fx", v("migrate.saga.p50"), v("migrate.bare.p50"), ratio),
          "<= 1.25x",
          ratio <= 1.25);
    } else {
      missing("migrateVm saga vs bare QEMU migration");
    }
    if (has("rss.functions.mb", "rss.agent.mb")) {
      row(
          "RSS after the bench",
          fmt("functions %.0f MB, agents up to %.0f MB", v("rss.functions.mb"), v("rss.agent.mb")),
          "functions <= 256 MB, agent <= 96 MB",
          v("rss.functions.mb") <= 256 && v("rss.agent.mb") <= 96);
    } else {
      missing("RSS after the bench");
    }
    if (has("start.functions.ms")) {
      row(
          "functions app: start to first answer",
          fmt("%.2f s", v("start.functions.ms") / 1000),
          "<= 1 s",
          v("start.functions.ms") <= 1000);
    } else {
      missing("functions app: start to first answer");
    }
    cycles();
    String scale =
        fmt(
            "createVm p50 with 0 / %1$.0f / %2$.0f VMs on the nodes",
            v.getOrDefault("scale.step", 100.0), 2 * v.getOrDefault("scale.step", 100.0));
    if (has("scale.p50.0x", "scale.p50.1x", "scale.p50.2x")) {
      double worst = Math.max(v("scale.p50.1x"), v("scale.p50.2x")) / v("scale.p50.0x");
      row(
          scale,
          fmt(
              "%.0f / %.0f / %.0f ms: %.2fx",
              v("scale.p50.0x"), v("scale.p50.1x"), v("scale.p50.2x"), worst),
          "flat within 1.2x",
          worst <= 1.2);
    } else {
      missing(scale);
    }
    if (has("list.p50")) {
      row(
          fmt("listVms p50 at %.0f VMs", v("list.vms")),
          fmt("%.1f ms", v("list.p50")),
          "<= 20 ms",
          v("list.p50") <= 20);
    } else {
      missing("listVms p50 at 1,000 VMs");
    }
    System.out.println("| measure | measured in this run | goal | met |");
    System.out.println("|---|---|---|---|");
    for (String[] r : rows) {
      System.out.println("| " + String.join(" | ", r) + " |");
    }
  }

  private void cycles() {
    String what =
        fmt(
            "%.0f create+delete cycles, %.0f at a time",
            v.getOrDefault("cycles.n", 60.0), v.getOrDefault("cycles.concurrency", 4.0));
    if (!has("cycles.functions.threads.before")) {
      missing(what);
      return;
    }
    boolean flat = true;
    List<String> parts = new ArrayList<>();
    for (String process : new String[] {"functions", "agent"}) {
      for (String[] measure : new String[][] {{"threads", ""}, {"fds", ""}, {"rssMb", " MB"}}) {
        String key = "cycles." + process + "." + measure[0];
        double before = v(key + ".before");
        double after = v(key + ".after");
        flat &= after <= before * 1.1;
        parts.add(
            fmt(
                "%s %s %.0f -> %.0f%s",
                process, measure[0].replace("Mb", ""), before, after, measure[1]));
      }
    }
    parts.add(
        fmt(
            "barrier rows +%.0f per cycle, kept %.0f days",
            v("cycles.barrier.perCycle"), v("cycles.barrier.retentionDays")));
    row(what, String.join("; ", parts), "threads, fds, RSS within 10%", flat);
  }

  private void row(String measure, String now, String goal, Boolean met) {
    rows.add(new String[] {measure, now, goal, met == null ? "" : met ? "yes" : "**no**"});
  }

  private void missing(String measure) {
    rows.add(new String[] {measure, "not measured in this run", "", ""});
  }

  private boolean has(String... keys) {
    for (String key : keys) {
      if (!v.containsKey(key)) {
        return false;
      }
    }
    return true;
  }

  private double v(String key) {
    return v.getOrDefault(key, Double.NaN);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
