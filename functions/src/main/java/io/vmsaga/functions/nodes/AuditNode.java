package io.vmsaga.functions.nodes;

import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /auditNode} {@code {nodeId}} (administrators): what the node really holds against
 * what the database records ({@link NodeAudit}). The orphan sweeper ({@link Orphans}) acts on the
 * same report.
 */
@Component("auditNode")
public class AuditNode implements Function<Message<AuditNode.Request>, Message<?>> {
  public record Request(String nodeId) {}

  private final Tenants tenants;
  private final Agents agents;
  private final NodeAudit audit;

  public AuditNode(Tenants tenants, Agents agents, NodeAudit audit) {
    this.tenants = tenants;
    this.agents = agents;
    this.audit = audit;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> {
          if (!caller.isAdmin()) {
            return Replies.forbidden();
          }
          Check check = new Check().matches(request.nodeId(), Check.ID, "nodeId", true);
          if (check.failed()) {
            return check.reply();
          }
          if (agents.urlOf(request.nodeId()) == null) {
            return Replies.notFound("node");
          }
          try {
            return Replies.ok(audit.of(request.nodeId()));
          } catch (AgentException e) {
            // its agent restarting, or its circuit open: a report of a node that does not answer
            // would be a guess (it was a 500)
            return Replies.unavailable(
                "node " + request.nodeId() + " does not answer: " + e.code());
          }
        });
  }
}
