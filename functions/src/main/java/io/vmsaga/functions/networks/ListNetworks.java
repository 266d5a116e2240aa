package io.vmsaga.functions.networks;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /listNetworks}: every network for administrators; for a tenant, the ones it may put
 * VMs on (its own and the shared ones). Each with its state and how many VMs it holds.
 */
@Component("listNetworks")
public class ListNetworks implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final NetworkRecords records;

  public ListNetworks(Tenants tenants, NetworkRecords records) {
    this.tenants = tenants;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants
        .caller(message)
        .<Message<?>>map(
            caller ->
                Replies.ok(
                    Map.of("networks", records.visibleTo(caller.isAdmin() ? null : caller.id()))))
        .orElseGet(Replies::unauthorized);
  }
}
