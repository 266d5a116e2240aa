package io.vmsaga.functions.drain;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getNodeDrain {nodeId}} (administrators): the node's latest drain and its report,
 * with the status code drainNode would answer (200 drained, 202 under way, 409 stopped).
 */
@Component("getNodeDrain")
public class GetNodeDrain implements Function<Message<GetNodeDrain.Request>, Message<?>> {
  public record Request(String nodeId) {}

  private final Tenants tenants;
  private final DrainRecords drains;
  private final DrainReport reports;

  public GetNodeDrain(Tenants tenants, DrainRecords drains, DrainReport reports) {
    this.tenants = tenants;
    this.drains = drains;
    this.reports = reports;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serveAdmin(
        message,
        Request.class,
        r -> {
          var check = new Check().matches(r.nodeId(), Check.ID, "nodeId", true);
          if (check.failed()) {
            return check.reply();
          }
          var last = drains.latest(r.nodeId());
          return last == null ? Replies.notFound("drain") : reports.reply(last.gid());
        });
  }
}
