package io.vmsaga.functions.reaper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * In the long-running web app the reaper runs on a timer; on Lambda a schedule invokes
 * reclaimReservations.
 */
@Configuration
@EnableScheduling
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ReaperSchedule {
  private final ReservationReaper reaper;

  public ReaperSchedule(ReservationReaper reaper) {
    this.reaper = reaper;
  }

  @Scheduled(initialDelayString = "PT30S", fixedDelayString = "PT30S")
  void reclaimExpiredHolds() {
    reaper.reclaim();
  }
}
