package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.CapacityMapper.Reservation;
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
  /** Longer than a resize saga may run. */
  static final long HOLD_SECONDS = 600;

  private final Branches branches;
  private final CapacityMapper capacity;

  public ReserveDiskGrowth(Branches branches, CapacityMapper capacity) {
    this.branches = branches;
    this.capacity = capacity;
  }

  @Override
  public Message<?> apply(Message<ResizeStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.disk();
          var tenant = capacity.lockTenant(disk.tenantId());
          if (tenant == null || !tenant.fitsMore(0, 0, disk.growthGib())) {
            return Replies.failure(
                "quota_exceeded",
                "the tenant's disk quota has no room for " + disk.growthGib() + " GiB more");
          }
          capacity.hold(
              new Reservation(
                  step.branch().gid(),
                  disk.vmId(),
                  disk.tenantId(),
                  disk.nodeId(),
                  0,
                  0,
                  disk.growthGib(),
                  0,
                  "held"),
              step.branch().gid(),
              HOLD_SECONDS);
          capacity.moveTenantUsage(disk.tenantId(), 0, 0, 0, disk.growthGib());
          return Replies.ok(Map.of("heldGib", disk.growthGib()));
        });
  }
}
