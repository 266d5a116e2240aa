package io.vmsaga.functions.nodes;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /sweepOrphans} (administrators): runs the orphan sweeper ({@link Orphans}) now, as
 * the schedules do every 30 s (web app) or minute (Lambda), and answers what it did and what stays
 * in quarantine.
 */
@Component("sweepOrphans")
public class SweepOrphans implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final Orphans orphans;

  public SweepOrphans(Tenants tenants, Orphans orphans) {
    this.tenants = tenants;
    this.orphans = orphans;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants.asAdmin(
        message,
        () -> Replies.ok(Map.of("did", orphans.sweep(), "quarantined", orphans.quarantined())));
  }
}
