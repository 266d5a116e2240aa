package io.vmsaga.functions.drain;

import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /undrainNode {nodeId}} (administrators): a draining, drained or evacuated node takes
 * VMs again. A drain under way starts no more moves (those in flight finish) and ends {@code
 * cancelled}; what moved stays where it went.
 */
@Component("undrainNode")
public class UndrainNode implements Function<Message<UndrainNode.Request>, Message<?>> {
  public record Request(String nodeId) {}

  private final Tenants tenants;
  private final DrainRecords drains;

  public UndrainNode(Tenants tenants, DrainRecords drains) {
    this.tenants = tenants;
    this.drains = drains;
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
          String status = drains.nodeStatus(r.nodeId());
          if (status == null) {
            return Replies.notFound("node");
          }
          if (drains.moveNodeStatus(r.nodeId(), "draining", "active") == 0
              && drains.moveNodeStatus(r.nodeId(), "drained", "active") == 0
              && drains.moveNodeStatus(r.nodeId(), "evacuated", "active") == 0) {
            return Replies.conflict("not_draining", "node " + r.nodeId() + " is " + status);
          }
          return Replies.ok(Map.of("nodeId", r.nodeId(), "status", "active", "was", status));
        });
  }
}
