package io.vmsaga.functions.nodes;

import io.vmsaga.agent.api.NodeInfo;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.TapClaims;
import io.vmsaga.functions.core.VmPlan;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * What a node really holds against what the database records, read once. Orphans are QEMU
 * definitions, disks and taps on the node that belong to no VM and that no saga in flight may hold
 * ({@link TapClaims}); missing VMs are settled VMs recorded on the node that it does not know.
 */
@Component
public class NodeAudit {
  public record Disk(String pool, String diskId) {}

  public record Report(
      String nodeId,
      List<String> orphanVms,
      List<Disk> orphanDisks,
      List<String> orphanTaps,
      List<String> missingVms,
      boolean clean) {}

  private final Agents agents;
  private final AuditMapper records;
  private final List<TapClaims> claims;

  public NodeAudit(Agents agents, AuditMapper records, List<TapClaims> claims) {
    this.agents = agents;
    this.records = records;
    this.claims = claims;
  }

  /** The node's report; throws the agent's failure when the node does not answer. */
  public Report of(String nodeId) {
    NodeInfo node = agents.on(nodeId).node();
    // records read after the node: a resource a saga made meanwhile is already recorded or claimed
    Set<String> vms = new HashSet<>(records.vmIds());
    // a VM being created has its disk and tap before its NIC row: name them from its id
    Set<String> taps = new HashSet<>(records.taps());
    records.creatingVmIds().forEach(id -> taps.add(VmPlan.nicFor(id, "", "").tap()));
    for (var owned : records.ownedVms()) {
      claims.forEach(c -> taps.addAll(c.taps(nodeId, owned.id(), owned.ownerGid())));
    }
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
