package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.dtm.BranchRef;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** Plugging a data disk in and out through the VM's agent, as the disk sagas' steps do it. */
@Component
public class DataDisks {
  /**
   * How long the agent waits for the guest to release an unplugged disk: below the branch's request
   * timeout, so a slow guest is a retry (503 unplug_pending), not a DTM timeout.
   */
  static final Duration UNPLUG_WAIT = Duration.ofSeconds(5);

  private final Agents agents;
  private final CapacityMapper capacity;
  private final DiskRecords disks;
  private final VmMapper vms;

  public DataDisks(Agents agents, CapacityMapper capacity, DiskRecords disks, VmMapper vms) {
    this.agents = agents;
    this.capacity = capacity;
    this.disks = disks;
    this.vms = vms;
  }

  /** Whether the disk's file is still in its pool. */
  public boolean exists(DataDiskPlan disk, BranchRef branch) {
    return agents.on(disk.nodeId(), branch).hasDisk(disk.pool(), disk.diskId());
  }

  /**
   * The end of a detach: a deleted disk's record removed and its GiB given back to the tenant, a
   * kept one marked detached; the VM given back.
   */
  public void recordDetached(DataDiskPlan disk, String gid) {
    if (disk.delete()) {
      capacity.lockTenant(disk.tenantId());
      disks.delete(disk.vmId(), disk.diskId());
      disks.shrinkHeld(disk.vmId(), disk.sizeGib());
      disks.deleteEmptyHolds(disk.vmId());
      capacity.moveTenantUsage(disk.tenantId(), 0, 0, 0, -disk.sizeGib());
    } else {
      disks.setAttached(disk.vmId(), disk.diskId(), false);
    }
    vms.settle(disk.vmId(), gid, disk.vmState(), "succeed");
  }

  public Object plug(DataDiskPlan disk, BranchRef branch) {
    return agents.on(disk.nodeId(), branch).attachDisk(disk.vmId(), disk.diskId(), disk.pool());
  }

  public void unplug(DataDiskPlan disk, BranchRef branch) {
    agents.on(disk.nodeId(), branch).detachDisk(disk.vmId(), disk.diskId(), UNPLUG_WAIT);
  }
}
