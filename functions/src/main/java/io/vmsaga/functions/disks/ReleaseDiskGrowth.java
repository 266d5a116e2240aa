package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.disks.ResizePlan.ResizeStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Undoes the hold, and gives the VM back. Runs after keepDiskSize, which bars a late grow, so what
 * the agent reports is final: a disk that did grow (the saga rolled back past its pivot) cannot
 * shrink, so its growth is recorded instead of released.
 */
@Component("releaseDiskGrowth")
public class ReleaseDiskGrowth implements Function<Message<ResizeStep>, Message<?>> {
  private final Branches branches;
  private final CapacityMapper capacity;
  private final DiskRecords disks;
  private final VmMapper vms;
  private final Agents agents;

  public ReleaseDiskGrowth(
      Branches branches, CapacityMapper capacity, DiskRecords disks, VmMapper vms, Agents agents) {
    this.branches = branches;
    this.capacity = capacity;
    this.disks = disks;
    this.vms = vms;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<ResizeStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var disk = step.disk();
          String gid = step.branch().gid();
          long sizeMib =
              agents
                  .on(disk.nodeId(), step.branch())
                  .getDisk(disk.pool(), disk.diskId())
                  .map(d -> d.sizeMib())
                  .orElse(0L);
          boolean grown = sizeMib >= disk.toMib();
          if (grown) {
            disks.setSize(disk.vmId(), disk.diskId(), disk.toGib());
            disks.commit(gid);
          } else {
            capacity.release(disk.vmId(), r -> r.id().equals(gid) && r.state().equals("held"));
          }
          vms.settle(disk.vmId(), gid, disk.vmState(), grown ? "succeed" : "failed");
          return Replies.ok(Map.of("grown", grown));
        });
  }
}
