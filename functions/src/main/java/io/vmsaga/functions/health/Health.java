package io.vmsaga.functions.health;

import io.vmsaga.functions.web.Replies;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code GET /health}: the app is up and its database answers. Readiness waits in scripts poll it.
 */
@Component("health")
public class Health implements Supplier<Message<Health.Status>> {
  private final DataSource dataSource;

  public Health(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Message<Status> get() {
    try (var connection = dataSource.getConnection()) {
      return connection.isValid(2) ? Replies.ok(new Status("up", "up")) : down();
    } catch (Exception e) {
      return down();
    }
  }

  private static Message<Status> down() {
    return Replies.status(503, new Status("down", "down"));
  }

  public record Status(String status, String database) {}
}
