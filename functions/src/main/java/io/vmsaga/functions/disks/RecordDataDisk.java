package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The disk recorded as the VM's (its GiB held for good), and the VM given back. */
@Component("recordDataDisk")
public class RecordDataDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final CapacityMapper capacity;
  private final VmMapper vms;
  private final DiskRecords disks;

  public RecordDataDisk(
      Branches branches, CapacityMapper capacity, VmMapper vms, DiskRecords disks) {
    this.branches = branches;
    this.capacity = capacity;
    this.vms = vms;
    this.disks = disks;
  }

  @Override
  public Message<?> apply(Message<DataDiskStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.disk();
          String gid = step.branch().gid();
          if (disk.fresh()) {
            vms.insertDisk(
                disk.vmId(),
                disk.nodeId(),
                new VmPlan.Disk(disk.diskId(), disk.pool(), disk.sizeGib()),
                null);
            disks.commit(gid);
          } else {
            disks.setAttached(disk.vmId(), disk.diskId(), true);
          }
          vms.settle(disk.vmId(), gid, disk.vmState(), "succeed");
          return Replies.ok(Map.of("diskId", disk.diskId(), "attached", true));
        });
  }
}
