package io.vmsaga.functions.evacuation;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.Placement;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.migration.MigrationPlan;
import io.vmsaga.functions.migration.Moves;
import io.vmsaga.functions.saga.Branches;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Evacuating a down node: it takes no VM any more ({@code evacuated}); each VM whose disks are all
 * shared is rebuilt elsewhere by its own evacuateVm saga ({@link Placement#moveTarget}, counting
 * the rebuilds already sent to each node); each VM with a local disk is {@code lost}, with the
 * reason, its node's share of capacity given back (its tenant's stays until it is deleted). What a
 * saga owns right now is left to it and reported.
 */
@Component
public class Evacuation {
  private static final Logger log = LoggerFactory.getLogger(Evacuation.class);

  public record Rebuild(String vmId, String gid, String targetNodeId, String status) {}

  public record Left(String vmId, String code, String message) {}

  public record Report(
      String nodeId, List<Rebuild> rebuilt, List<Left> lost, List<Left> notMoved) {}

  private final EvacuationRecords records;
  private final VmMapper vms;
  private final CapacityMapper capacity;
  private final Placement placement;
  private final Moves moves;
  private final Sagas sagas;
  private final ObjectMapper json;
  private final TransactionTemplate transaction;

  public Evacuation(
      EvacuationRecords records,
      VmMapper vms,
      CapacityMapper capacity,
      Placement placement,
      Moves moves,
      Sagas sagas,
      ObjectMapper json,
      TransactionTemplate transaction) {
    this.records = records;
    this.vms = vms;
    this.capacity = capacity;
    this.placement = placement;
    this.moves = moves;
    this.sagas = sagas;
    this.json = json;
    this.transaction = transaction;
  }

  /** Every VM of the node, or only {@code vmIds} when given (an operator's order of importance). */
  public Report evacuate(String nodeId, java.util.Set<String> vmIds) {
    records.markEvacuated(nodeId);
    List<Rebuild> rebuilt = new ArrayList<>();
    List<Left> lost = new ArrayList<>();
    List<Left> notMoved = new ArrayList<>();
    Map<String, Placement.Incoming> sent = new HashMap<>();
    for (String vmId : records.vmsOn(nodeId)) {
      if (vmIds != null && !vmIds.contains(vmId)) {
        continue;
      }
      var vm = vms.find(vmId);
      if (vm == null) {
        continue;
      }
      if (vm.ownerGid() != null && sagas.live(vm.ownerGid())) {
        notMoved.add(new Left(vmId, "busy", "saga " + vm.ownerGid() + " owns the VM"));
        continue;
      }
      if (vms.disksOf(vmId).stream().anyMatch(d -> "local".equals(d.pool()))) {
        String reason = "its local disk was on node " + nodeId + ", which went down";
        if (lose(vm, nodeId, reason)) {
          lost.add(new Left(vmId, "lost", reason));
        }
        continue;
      }
      var target =
          placement.moveTarget(nodeId, List.of(), vm.vcpus(), vm.memoryMib(), sent).orElse(null);
      if (target == null) {
        notMoved.add(new Left(vmId, "no_capacity", "no active node has room for this VM"));
        continue;
      }
      var reply = moves.start(vm, target.id(), MigrationPlan.EVACUATE);
      var body = json.valueToTree(reply.getPayload());
      int status = Branches.status(reply);
      if (status == 200 || status == 202) {
        sent.merge(
            target.id(),
            new Placement.Incoming(vm.vcpus(), vm.memoryMib()),
            Placement.Incoming::plus);
        rebuilt.add(new Rebuild(vmId, body.path("gid").asString(), target.id(), "submitted"));
      } else {
        notMoved.add(new Left(vmId, body.path("code").asString(), body.path("message").asString()));
      }
    }
    log.warn(
        "node {} evacuated: {} VM(s) being rebuilt elsewhere, {} lost, {} not moved",
        nodeId,
        rebuilt.size(),
        lost.size(),
        notMoved.size());
    return new Report(nodeId, rebuilt, lost, notMoved);
  }

  /** The report once every rebuild ended (or the wait ran out), each with its saga's status. */
  public Report awaited(Report report) {
    var rebuilt =
        report.rebuilt().stream()
            .map(r -> new Rebuild(r.vmId(), r.gid(), r.targetNodeId(), sagas.status(r.gid(), true)))
            .toList();
    return new Report(report.nodeId(), rebuilt, report.lost(), report.notMoved());
  }

  private boolean lose(VmMapper.VmRow vm, String nodeId, String reason) {
    return Boolean.TRUE.equals(
        transaction.execute(
            tx -> {
              capacity.lockNode(nodeId);
              if (records.markLost(vm.id(), reason, vm.ownerGid(), vm.state()) == 0) {
                return false;
              }
              var held = records.heldOn(vm.id(), nodeId);
              capacity.moveNodeCommitment(nodeId, -held.vcpus(), -held.memoryMib());
              records.loseReservations(vm.id(), nodeId);
              log.warn("VM {} lost: {}", vm.id(), reason);
              return true;
            }));
  }
}
