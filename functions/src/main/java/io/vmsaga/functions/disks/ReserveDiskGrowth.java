package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.ResizePlan.ResizeStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Holds the growth against the tenant's disk quota: a reservation of that many GiB that counts no
 * VM, expiring if the saga dies.
 */
@Component("reserveDiskGrowth")
public class ReserveDiskGrowth implements Function<Message<ResizeStep>, Message<?>> {
  private final Branches branches;
  private final DiskQuota quota;

  public ReserveDiskGrowth(Branches branches, DiskQuota quota) {
    this.branches = branches;
    this.quota = quota;
  }

  @Override
  public Message<?> apply(Message<ResizeStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.disk();
          var refused =
              quota.hold(
                  step.branch().gid(),
                  disk.vmId(),
                  disk.tenantId(),
                  disk.nodeId(),
                  disk.growthGib());
          if (refused.isPresent()) {
            return refused.get();
          }
          return Replies.ok(Map.of("heldGib", disk.growthGib()));
        });
  }
}
