package io.vmsaga.functions.nodes;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /listNodes} (administrators): each node's capacity, overcommit ratios and what is
 * committed.
 */
@Component("listNodes")
public class ListNodes implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final CapacityMapper capacity;

  public ListNodes(Tenants tenants, CapacityMapper capacity) {
    this.tenants = tenants;
    this.capacity = capacity;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants.asAdmin(message, () -> Replies.ok(Map.of("nodes", capacity.nodes())));
  }
}
