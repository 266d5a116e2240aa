package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /settleStuckVms} (administrators): runs {@link StuckVms} now, as the schedules do
 * every 30 s (web app) or minute (Lambda), and answers what it settled.
 */
@Component("settleStuckVms")
public class SettleStuckVms implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final StuckVms stuck;

  public SettleStuckVms(Tenants tenants, StuckVms stuck) {
    this.tenants = tenants;
    this.stuck = stuck;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants.asAdmin(message, () -> Replies.ok(Map.of("settled", stuck.sweep())));
  }
}
