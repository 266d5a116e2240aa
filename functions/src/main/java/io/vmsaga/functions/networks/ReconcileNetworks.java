package io.vmsaga.functions.networks;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /reconcileNetworks} (administrators): runs the network reconciler ({@link
 * NetworkReconciler}) now, as the schedules do every 30 s (web app) or minute (Lambda), and answers
 * the repairs it tried.
 */
@Component("reconcileNetworks")
public class ReconcileNetworks implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final NetworkReconciler reconciler;

  public ReconcileNetworks(Tenants tenants, NetworkReconciler reconciler) {
    this.tenants = tenants;
    this.reconciler = reconciler;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants.asAdmin(message, () -> Replies.ok(Map.of("repairs", reconciler.sweep())));
  }
}
