package io.vmsaga.functions.saga;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.web.Check;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Injected faults, for proving that every step fails cleanly. Off unless
 * VMSAGA_FAULT_INJECTION=true, and then only for sagas whose trigger asked for them.
 */
@Component
public class Faults {
  public static final Set<String> KINDS = Set.of("fail", "crash", "hang", "slow");

  private final FaultMapper faults;
  private final boolean enabled;

  public Faults(FaultMapper faults, @Value("${vmsaga.fault-injection:false}") boolean enabled) {
    this.faults = faults;
    this.enabled = enabled;
  }

  public void register(String gid, Map<String, String> stepFaults) {
    if (!enabled || stepFaults == null) {
      return;
    }
    stepFaults.forEach((step, kind) -> faults.add(gid, step, kind));
  }

  /**
   * Adds to {@code check} what is wrong with a trigger's faults and saga timeout, both accepted for
   * tests only.
   */
  public void check(
      Check check,
      Map<String, String> stepFaults,
      Integer timeoutToFailSeconds,
      Set<String> steps) {
    if (stepFaults != null) {
      check.require(enabled, "faults are accepted only where fault injection is enabled");
      stepFaults.forEach(
          (step, kind) ->
              check.require(
                  steps.contains(step) && KINDS.contains(kind),
                  "faults must map a step of this saga to one of " + KINDS));
    }
    if (timeoutToFailSeconds != null) {
      check.range(timeoutToFailSeconds, 5, 3600, "timeoutToFailSeconds");
    }
  }

  /**
   * The saga's timeout: a test's own where fault injection is enabled, else the operation's normal
   * one.
   */
  public Duration timeout(Integer seconds, Duration normal) {
    return seconds != null && enabled ? Duration.ofSeconds(seconds) : normal;
  }

  /** The fault planned for this step of this saga, or "" when none. */
  public String planned(BranchRef branch, String step) {
    if (!enabled) {
      return "";
    }
    String kind = faults.kind(branch.gid(), step);
    return kind == null ? "" : kind;
  }

  public static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
