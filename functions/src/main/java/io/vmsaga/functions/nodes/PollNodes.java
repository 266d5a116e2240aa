package io.vmsaga.functions.nodes;

import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code pollNodes}, on Lambda only: one poll of every node ({@link NodeHealth}), run by an
 * EventBridge schedule (template.yaml) with no HTTP route, as {@code housekeeping} is.
 */
@Component("pollNodes")
@ConditionalOnNotWebApplication
public class PollNodes implements Function<Message<Map<String, Object>>, Message<?>> {
  private final NodeHealth health;

  public PollNodes(NodeHealth health) {
    this.health = health;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> event) {
    return Replies.ok(Map.of("changes", health.poll()));
  }
}
