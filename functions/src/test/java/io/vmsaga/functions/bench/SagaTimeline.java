package io.vmsaga.functions.bench;

import static io.vmsaga.functions.e2e.Stack.JSON;
import static io.vmsaga.functions.e2e.Stack.NODES;
import static io.vmsaga.functions.e2e.Stack.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a saga's time went, from the logs the dev stack writes: the functions' line when the
 * trigger submitted it, the barrier's line when each step ended (step name, op, gid), and the
 * agents' access lines (duration, gid). A step's time is from the previous step's end (or the
 * submission) to its own; of that, the agent-side part is what the agents' access lines of the gid
 * ending in that span add up to, and the rest is orchestration: DTM's dispatch and bookkeeping,
 * HTTP, the barrier transaction and the step's own queries.
 */
final class SagaTimeline {
  private static final Pattern SUBMITTED = Pattern.compile("submitted as saga (\\S+)");
  private static final Pattern STEP = Pattern.compile("^(action|compensate) (\\w+) branch");

  record Step(String name, long endMillis) {}

  record AgentCall(long endMillis, long ms) {}

  record Saga(long submittedMillis, List<Step> steps, List<AgentCall> agentCalls) {
    long spanMs() {
      return steps.isEmpty() ? 0 : steps.getLast().endMillis() - submittedMillis;
    }

    long agentMs() {
      return agentCalls.stream().mapToLong(AgentCall::ms).sum();
    }
  }

  private SagaTimeline() {}

  /** The sagas of these gids, as the logs have them now. */
  static Map<String, Saga> of(Collection<String> gids) throws IOException {
    Map<String, Long> submitted = new HashMap<>();
    Map<String, List<Step>> steps = new HashMap<>();
    Map<String, List<AgentCall>> calls = new HashMap<>();
    for (String line : lines(Path.of(env("VMSAGA_HOME"), "logs", "functions.log"))) {
      var fields = JSON.readTree(line);
      String message = fields.path("message").asString("");
      long at = Instant.parse(fields.path("@timestamp").asString()).toEpochMilli();
      Matcher m = SUBMITTED.matcher(message);
      if (m.find() && gids.contains(m.group(1))) {
        submitted.put(m.group(1), at);
      }
      String gid = fields.path("gid").asString("");
      Matcher step = STEP.matcher(message);
      if (gids.contains(gid) && step.find()) {
        steps.computeIfAbsent(gid, g -> new ArrayList<>()).add(new Step(step.group(2), at));
      }
    }
    for (String node : NODES) {
      for (String line : lines(Path.of(env("VMSAGA_HOME"), "logs", "agent-" + node + ".log"))) {
        var fields = JSON.readTree(line);
        String gid = fields.path("gid").asString("");
        if (gids.contains(gid) && fields.has("ms")) {
          calls
              .computeIfAbsent(gid, g -> new ArrayList<>())
              .add(
                  new AgentCall(
                      Instant.parse(fields.path("time").asString()).toEpochMilli(),
                      fields.path("ms").asLong()));
        }
      }
    }
    Map<String, Saga> sagas = new LinkedHashMap<>();
    for (String gid : gids) {
      if (submitted.containsKey(gid) && steps.containsKey(gid)) {
        sagas.put(
            gid, new Saga(submitted.get(gid), steps.get(gid), calls.getOrDefault(gid, List.of())));
      }
    }
    return sagas;
  }

  /** Per step, in saga order: p50 of its time, of its agent-side part, and of the rest. */
  static void printSteps(String what, Collection<Saga> sagas) {
    Map<String, List<long[]>> byStep = new LinkedHashMap<>();
    for (Saga saga : sagas) {
      long from = saga.submittedMillis();
      for (Step step : saga.steps()) {
        long to = step.endMillis();
        long agent = 0;
        for (AgentCall call : saga.agentCalls()) {
          if (call.endMillis() > from && call.endMillis() <= to) {
            agent += call.ms();
          }
        }
        byStep
            .computeIfAbsent(step.name(), s -> new ArrayList<>())
            .add(new long[] {to - from, agent});
        from = to;
      }
    }
    System.out.printf("%s, per step (p50 over %d sagas):%n", what, sagas.size());
    System.out.printf("  %-22s %8s %8s %14s%n", "step", "step", "agent", "orchestration");
    long[] total = new long[3];
    byStep.forEach(
        (step, samples) -> {
          long time = CreateBench.percentile(samples.stream().map(s -> s[0]).toList(), 50);
          long agent = CreateBench.percentile(samples.stream().map(s -> s[1]).toList(), 50);
          long rest = CreateBench.percentile(samples.stream().map(s -> s[0] - s[1]).toList(), 50);
          total[0] += time;
          total[1] += agent;
          total[2] += rest;
          System.out.printf("  %-22s %5d ms %5d ms %11d ms%n", step, time, agent, rest);
        });
    System.out.printf(
        "  %-22s %5d ms %5d ms %11d ms%n", "sum of the p50s", total[0], total[1], total[2]);
  }

  private static List<String> lines(Path log) throws IOException {
    return Files.readAllLines(log).stream().filter(l -> l.startsWith("{")).toList();
  }
}
