package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.CapacityMapper.Reservation;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.dtm.BranchRef;
import java.util.Comparator;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * The database side of a move, inside the calling branch's transaction. Node rows are locked before
 * reservation rows, two nodes in id order, so concurrent moves and creates cannot deadlock. The
 * tenant's usage never changes: the VM is counted once, whichever node holds it.
 */
@Component
public class MoveRecords {
  /** Longer than any move may run, so only a dead saga's hold expires. */
  static final long HOLD_SECONDS = 3600;

  private final CapacityMapper capacity;
  private final MigrationMapper rows;
  private final VmMapper vms;
  private final Agents agents;

  public MoveRecords(CapacityMapper capacity, MigrationMapper rows, VmMapper vms, Agents agents) {
    this.agents = agents;
    this.capacity = capacity;
    this.rows = rows;
    this.vms = vms;
  }

  /** False when the target node has no room for the VM (overcommit ratios applied). */
  public boolean holdTarget(MigrationPlan move, String gid) {
    var node = capacity.lockNode(move.targetNodeId());
    if (node == null || !node.fits(move.vcpus(), move.memoryMib())) {
      return false;
    }
    capacity.holdMigrationTarget(
        new Reservation(
            gid,
            move.vmId(),
            move.tenantId(),
            move.targetNodeId(),
            move.vcpus(),
            move.memoryMib(),
            0,
            "migrating"),
        gid,
        HOLD_SECONDS);
    capacity.moveNodeCommitment(move.targetNodeId(), move.vcpus(), move.memoryMib());
    return true;
  }

  /** Gives the target node back what {@link #holdTarget} took, if it took anything. */
  public void releaseTarget(MigrationPlan move, String gid) {
    capacity.lockNode(move.targetNodeId());
    for (var r : capacity.lockReservationsOf(move.vmId())) {
      if (r.id().equals(gid) && r.state().equals("migrating")) {
        capacity.moveNodeCommitment(r.nodeId(), -r.vcpus(), -r.memoryMib());
        capacity.delete(r.id());
      }
    }
  }

  /** Records the VM, its local disks and its taps on the target node. */
  public void pointAtTarget(MigrationPlan move, String gid) {
    rows.pointVmAt(move.vmId(), gid, move.targetNodeId());
    rows.pointDisksAt(move.vmId(), move.targetNodeId());
    move.nics().forEach(n -> rows.setTap(n.nicId(), n.targetTap()));
  }

  /** The target takes the VM's lease at its new generation, if every disk of it is shared. */
  public void leaseToTarget(MigrationPlan move, BranchRef branch) {
    if (move.disks().stream().noneMatch(MigrationPlan.Disk::local)) {
      agents.on(move.targetNodeId(), branch).putLease(move.vmId(), rows.generation(move.vmId()));
    }
  }

  /**
   * The source's reservations go, the target's becomes the VM's commitment and takes over the disk
   * GiB they held against the tenant's quota (the tenant's counters do not move).
   */
  public void switchReservations(MigrationPlan move, String gid) {
    Stream.of(move.sourceNodeId(), move.targetNodeId())
        .sorted(Comparator.naturalOrder())
        .forEach(capacity::lockNode);
    int diskGib = 0;
    for (var r : capacity.lockReservationsOf(move.vmId())) {
      if (!r.id().equals(gid) && r.nodeId().equals(move.sourceNodeId())) {
        capacity.moveNodeCommitment(r.nodeId(), -r.vcpus(), -r.memoryMib());
        capacity.delete(r.id());
        diskGib += r.diskGib();
      }
    }
    capacity.commitMigrationTarget(gid, diskGib);
  }

  /**
   * Ends the saga's ownership of the VM and closes the migration row; 0 when this saga did not own
   * it.
   */
  public int settle(MigrationPlan move, String gid, String outcome) {
    rows.finish(gid, outcome);
    return vms.settle(move.vmId(), gid, move.wasRunning() ? "running" : "stopped", outcome);
  }
}
