package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Holds a new disk's GiB against the tenant's disk quota (a reservation that counts no VM),
 * expiring if the saga dies. A disk the VM kept detached counts already: nothing to hold.
 */
@Component("reserveDataDisk")
public class ReserveDataDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final DiskQuota quota;

  public ReserveDataDisk(Branches branches, DiskQuota quota) {
    this.branches = branches;
    this.quota = quota;
  }

  @Override
  public Message<?> apply(Message<DataDiskStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.disk();
          if (!disk.fresh()) {
            return Replies.ok(Map.of("heldGib", 0));
          }
          var refused =
              quota.hold(
                  step.branch().gid(), disk.vmId(), disk.tenantId(), disk.nodeId(), disk.sizeGib());
          if (refused.isPresent()) {
            return refused.get();
          }
          return Replies.ok(Map.of("heldGib", disk.sizeGib()));
        });
  }
}
