package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Gives back what reserveDataDisk held, and the VM, in the state it had. */
@Component("releaseDataDisk")
public class ReleaseDataDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final CapacityMapper capacity;
  private final VmMapper vms;

  public ReleaseDataDisk(Branches branches, CapacityMapper capacity, VmMapper vms) {
    this.branches = branches;
    this.capacity = capacity;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<DataDiskStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var disk = step.disk();
          String gid = step.branch().gid();
          var released =
              capacity.release(disk.vmId(), r -> r.id().equals(gid) && r.state().equals("held"));
          vms.settle(disk.vmId(), gid, disk.vmState(), "failed");
          return Replies.ok(Map.of("released", released.size()));
        });
  }
}
