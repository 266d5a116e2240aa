package io.vmsaga.functions.evacuation;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /evacuateNode {nodeId, vmIds?, awaitResult?}} (administrators, disaster recovery):
 * for a node that is {@code down}, see {@link Evacuation}. Answers the report: 200 when every VM on
 * shared disks was rebuilt (or is being, 202, when not awaited), 409 {@code evacuation_incomplete}
 * with the report when one could not be. A node that is not down is refused: drainNode moves VMs
 * off a live one without a reboot.
 */
@Component("evacuateNode")
public class EvacuateNode implements Function<Message<EvacuateNode.Request>, Message<?>> {
  /** {@code vmIds}: only these VMs of the node (all when absent). */
  public record Request(String nodeId, java.util.List<String> vmIds, boolean awaitResult) {}

  public record Failure(String code, String message, Evacuation.Report evacuation) {}

  private final Tenants tenants;
  private final CapacityMapper capacity;
  private final Evacuation evacuation;

  public EvacuateNode(Tenants tenants, CapacityMapper capacity, Evacuation evacuation) {
    this.tenants = tenants;
    this.capacity = capacity;
    this.evacuation = evacuation;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serveAdmin(
        message,
        Request.class,
        r -> {
          var check = new Check().matches(r.nodeId(), Check.ID, "nodeId", true);
          if (r.vmIds() != null) {
            check.require(r.vmIds().size() <= 1000, "vmIds: at most 1000");
            r.vmIds().forEach(id -> check.matches(id, Check.ID, "vmIds[]", true));
          }
          if (check.failed()) {
            return check.reply();
          }
          var node = capacity.node(r.nodeId());
          if (node == null) {
            return Replies.notFound("node");
          }
          if (!"down".equals(node.health())) {
            return Replies.conflict(
                "node_not_down",
                "node "
                    + node.id()
                    + " is "
                    + node.health()
                    + ": only a down node is evacuated (drainNode moves VMs off a live one)");
          }
          var report =
              evacuation.evacuate(
                  node.id(), r.vmIds() == null ? null : java.util.Set.copyOf(r.vmIds()));
          if (r.awaitResult()) {
            report = evacuation.awaited(report);
          }
          boolean incomplete =
              !report.notMoved().isEmpty()
                  || report.rebuilt().stream().anyMatch(v -> "failed".equals(v.status()));
          if (incomplete) {
            return Replies.status(
                409,
                new Failure(
                    "evacuation_incomplete",
                    "some VMs on shared disks were not rebuilt: see notMoved and each rebuild's status",
                    report));
          }
          boolean underway = report.rebuilt().stream().anyMatch(v -> !"succeed".equals(v.status()));
          return Replies.status(underway ? 202 : 200, report);
        });
  }
}
