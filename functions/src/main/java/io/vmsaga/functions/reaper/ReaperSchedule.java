package io.vmsaga.functions.reaper;

import io.vmsaga.functions.core.Sweeper;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * In the long-running web app every {@link Sweeper} and the barrier retention run on timers, unless
 * vmsaga.schedules.enabled is false (read at start, as in {@code NodeHealthSchedule}); on Lambda an
 * EventBridge schedule invokes {@link Housekeeping}.
 */
@Configuration
@EnableScheduling
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ReaperSchedule {
  private static final Logger log = LoggerFactory.getLogger(ReaperSchedule.class);

  private final List<Sweeper> sweepers;
  private final BarrierRetention barriers;
  private final boolean enabled;

  public ReaperSchedule(
      List<Sweeper> sweepers,
      BarrierRetention barriers,
      @Value("${vmsaga.schedules.enabled:true}") boolean enabled) {
    this.sweepers = sweepers;
    this.barriers = barriers;
    this.enabled = enabled;
  }

  /** The reaper's holds, stuck VMs: every capability's sweeper. */
  @Scheduled(initialDelayString = "PT30S", fixedDelayString = "PT30S")
  void sweep() {
    if (!enabled) {
      return;
    }
    for (Sweeper sweeper : sweepers) {
      try {
        sweeper.sweep();
      } catch (RuntimeException e) {
        // the next period tries again; one sweeper's trouble does not stop the others
        log.warn("sweep {} failed: {}", sweeper.name(), e.toString());
      }
    }
  }

  @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
  void pruneBarriers() {
    if (enabled) {
      barriers.prune();
    }
  }
}
