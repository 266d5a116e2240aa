package io.vmsaga.functions.reaper;

import io.vmsaga.functions.core.Sweeper;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code housekeeping}, on Lambda only: what the web app's timers do ({@link ReaperSchedule}), run
 * by an EventBridge schedule (template.yaml). It has no HTTP route: only a principal allowed to
 * invoke the function (the schedule) can, so it needs no user's token. Runs every {@link Sweeper}
 * (holds of dead sagas, stuck VMs) and prunes the barrier table.
 */
@Component("housekeeping")
@ConditionalOnNotWebApplication
public class Housekeeping implements Function<Message<Map<String, Object>>, Message<?>> {
  private final List<Sweeper> sweepers;
  private final BarrierRetention barriers;

  public Housekeeping(List<Sweeper> sweepers, BarrierRetention barriers) {
    this.sweepers = sweepers;
    this.barriers = barriers;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> event) {
    Map<String, Object> report = new TreeMap<>();
    for (Sweeper sweeper : sweepers) {
      report.put(sweeper.name(), sweeper.sweep());
    }
    report.put("barrierRowsPruned", barriers.prune());
    return Replies.ok(report);
  }
}
