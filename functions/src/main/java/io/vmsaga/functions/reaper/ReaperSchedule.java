package io.vmsaga.functions.reaper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * In the long-running web app the reaper and the barrier retention run on timers; on Lambda an
 * EventBridge schedule invokes {@link Housekeeping}.
 */
@Configuration
@EnableScheduling
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ReaperSchedule {
  private final ReservationReaper reaper;
  private final BarrierRetention barriers;

  public ReaperSchedule(ReservationReaper reaper, BarrierRetention barriers) {
    this.reaper = reaper;
    this.barriers = barriers;
  }

  @Scheduled(initialDelayString = "PT30S", fixedDelayString = "PT30S")
  void reclaimExpiredHolds() {
    reaper.reclaim();
  }

  @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
  void pruneBarriers() {
    barriers.prune();
  }
}
