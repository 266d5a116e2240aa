package io.vmsaga.functions.nodes;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /auditNode} {@code {nodeId}} (administrators): what the node really holds against
 * what the database records. Orphans are QEMU definitions, disks and taps on the node that belong
 * to no VM; missing VMs are settled VMs recorded on the node that it does not know. Resources of a
 * saga still running may show up here until it ends; run it on an idle node for a verdict.
 */
@Component("auditNode")
public class AuditNode implements Function<Message<AuditNode.Request>, Message<?>> {
  public record Request(String nodeId) {}

  public record Disk(String pool, String diskId) {}

  public record Report(
      String nodeId,
      List<String> orphanVms,
      List<Disk> orphanDisks,
      List<String> orphanTaps,
      List<String> missingVms,
      boolean clean) {}

  private final Tenants tenants;
  private final Agents agents;
  private final AuditMapper records;

  public AuditNode(Tenants tenants, Agents agents, AuditMapper records) {
    this.tenants = tenants;
    this.agents = agents;
    this.records = records;
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
          return Replies.ok(audit(request.nodeId()));
        });
  }

  private Report audit(String nodeId) {
    var node = agents.on(nodeId).node();
    Set<String> vms = new HashSet<>(records.vmIds());
    // a VM being created has its disk and tap before its NIC row: name them from its id
    Set<String> taps = new HashSet<>(records.taps());
    records.creatingVmIds().forEach(id -> taps.add(VmPlan.nicFor(id, "", "").tap()));
    Set<String> onNode = new HashSet<>();
    node.vms().forEach(v -> onNode.add(v.vmId()));

    List<String> orphanVms =
        node.vms().stream().map(v -> v.vmId()).filter(id -> !vms.contains(id)).sorted().toList();
    List<Disk> orphanDisks =
        node.disks().stream()
            .filter(d -> vms.stream().noneMatch(id -> d.diskId().startsWith(id + "-")))
            .map(d -> new Disk(d.pool(), d.diskId()))
            .toList();
    List<String> orphanTaps =
        node.taps().stream().map(t -> t.name()).filter(t -> !taps.contains(t)).sorted().toList();
    List<String> missing =
        records.settledVmIdsOn(nodeId).stream()
            .filter(id -> !onNode.contains(id))
            .sorted()
            .toList();
    return new Report(
        nodeId,
        orphanVms,
        orphanDisks,
        orphanTaps,
        missing,
        orphanVms.isEmpty() && orphanDisks.isEmpty() && orphanTaps.isEmpty() && missing.isEmpty());
  }
}
