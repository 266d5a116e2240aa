package io.vmsaga.functions.reaper;

import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code housekeeping}, on Lambda only: what the web app's timers do ({@link ReaperSchedule}), run
 * by an EventBridge schedule (template.yaml). It has no HTTP route: only a principal allowed to
 * invoke the function (the schedule) can, so it needs no user's token. Reclaims the holds of dead
 * sagas and prunes the barrier table.
 */
@Component("housekeeping")
@ConditionalOnNotWebApplication
public class Housekeeping implements Function<Message<Map<String, Object>>, Message<?>> {
  private final ReservationReaper reaper;
  private final BarrierRetention barriers;

  public Housekeeping(ReservationReaper reaper, BarrierRetention barriers) {
    this.reaper = reaper;
    this.barriers = barriers;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> event) {
    return Replies.ok(Map.of("reclaimed", reaper.reclaim(), "barrierRowsPruned", barriers.prune()));
  }
}
