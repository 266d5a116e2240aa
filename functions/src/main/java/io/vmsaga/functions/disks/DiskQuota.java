package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.CapacityMapper.Reservation;
import io.vmsaga.functions.web.Replies;
import java.util.Optional;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * More disk GiB held against a tenant's quota, for a disk's growth or a new data disk: a
 * reservation that counts no VM, vCPU or memory, expiring if the saga dies.
 */
@Component
public class DiskQuota {
  /** Longer than a disk saga may run. */
  static final long HOLD_SECONDS = 600;

  private final CapacityMapper capacity;

  public DiskQuota(CapacityMapper capacity) {
    this.capacity = capacity;
  }

  /** Holds {@code gib} for the saga {@code gid}; the refusal when the quota has no room. */
  public Optional<Message<?>> hold(
      String gid, String vmId, String tenantId, String nodeId, int gib) {
    var tenant = capacity.lockTenant(tenantId);
    if (tenant == null || !tenant.fitsMore(0, 0, gib)) {
      return Optional.of(
          Replies.failure(
              "quota_exceeded", "the tenant's disk quota has no room for " + gib + " GiB more"));
    }
    capacity.holdTenantShare(
        new Reservation(gid, vmId, tenantId, nodeId, 0, 0, gib, 0, "held"), HOLD_SECONDS);
    return Optional.empty();
  }
}
