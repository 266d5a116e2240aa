package io.vmsaga.functions.nodes;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /listNodes} (administrators): each node's capacity, overcommit ratios and what is
 * committed, and the state of the circuit breaker of its agent (CLOSED, OPEN, HALF_OPEN).
 */
@Component("listNodes")
public class ListNodes implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final CapacityMapper capacity;
  private final Agents agents;

  public ListNodes(Tenants tenants, CapacityMapper capacity, Agents agents) {
    this.tenants = tenants;
    this.capacity = capacity;
    this.agents = agents;
  }

  public record NodeView(CapacityMapper.NodeCapacity node, String agentUrl, String breaker) {}

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants.asAdmin(
        message,
        () ->
            Replies.ok(
                Map.of(
                    "nodes",
                    capacity.nodes().stream()
                        .map(
                            n -> {
                              String url = agents.urlOf(n.id());
                              return new NodeView(n, url, agents.breakerState(url));
                            })
                        .toList())));
  }
}
