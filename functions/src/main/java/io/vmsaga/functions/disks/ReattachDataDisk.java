package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Plugs the disk in again, and gives the VM back, as it was before detachDisk; once the disk was
 * deleted (the pivot), finishes the detach instead.
 */
@Component("reattachDataDisk")
public class ReattachDataDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final DataDisks dataDisks;
  private final VmMapper vms;

  public ReattachDataDisk(Branches branches, DataDisks dataDisks, VmMapper vms) {
    this.branches = branches;
    this.dataDisks = dataDisks;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<DataDiskStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var disk = step.disk();
          if (disk.delete() && !dataDisks.exists(disk, step.branch())) {
            // rolled back past the pivot: the disk is gone, so the detach is finished instead
            dataDisks.recordDetached(disk, step.branch().gid());
            return Replies.ok(Map.of("detached", disk.diskId()));
          }
          dataDisks.plug(disk, step.branch());
          vms.settle(disk.vmId(), step.branch().gid(), disk.vmState(), "failed");
          return Replies.ok(Map.of("attached", disk.diskId()));
        });
  }
}
