package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.CapacityMapper.Reservation;
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
  private final CapacityMapper capacity;

  public ReserveDataDisk(Branches branches, CapacityMapper capacity) {
    this.branches = branches;
    this.capacity = capacity;
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
          var tenant = capacity.lockTenant(disk.tenantId());
          if (tenant == null || !tenant.fitsMore(0, 0, disk.sizeGib())) {
            return Replies.failure(
                "quota_exceeded",
                "the tenant's disk quota has no room for " + disk.sizeGib() + " GiB more");
          }
          capacity.hold(
              new Reservation(
                  step.branch().gid(),
                  disk.vmId(),
                  disk.tenantId(),
                  disk.nodeId(),
                  0,
                  0,
                  disk.sizeGib(),
                  0,
                  "held"),
              step.branch().gid(),
              ReserveDiskGrowth.HOLD_SECONDS);
          capacity.moveTenantUsage(disk.tenantId(), 0, 0, 0, disk.sizeGib());
          return Replies.ok(Map.of("heldGib", disk.sizeGib()));
        });
  }
}
