package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.disks.ResizePlan.ResizeStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The new size recorded, the growth held for good, and the VM given back in its state. */
@Component("recordDiskSize")
public class RecordDiskSize implements Function<Message<ResizeStep>, Message<?>> {
  private final Branches branches;
  private final DiskRecords disks;
  private final VmMapper vms;

  public RecordDiskSize(Branches branches, DiskRecords disks, VmMapper vms) {
    this.branches = branches;
    this.disks = disks;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<ResizeStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.disk();
          disks.setSize(disk.vmId(), disk.diskId(), disk.toGib());
          disks.commit(step.branch().gid());
          vms.settle(disk.vmId(), step.branch().gid(), disk.vmState(), "succeed");
          return Replies.ok(Map.of("diskId", disk.diskId(), "sizeGib", disk.toGib()));
        });
  }
}
