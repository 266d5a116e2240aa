package io.vmsaga.functions.reaper;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /reclaimReservations} (administrators, or a schedule): runs the {@link
 * ReservationReaper} once.
 */
@Component("reclaimReservations")
public class ReclaimReservations implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final ReservationReaper reaper;

  public ReclaimReservations(Tenants tenants, ReservationReaper reaper) {
    this.tenants = tenants;
    this.reaper = reaper;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants.asAdmin(message, () -> Replies.ok(Map.of("reclaimed", reaper.reclaim())));
  }
}
