package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.CapacityMapper.Reservation;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Holds the VM's size (one VM, its vCPUs, memory and disk GiB) against the new tenant's quota: an
 * {@code assigning} reservation, which moves the tenant's counters and never a node's.
 */
@Component("reserveTargetQuota")
public class ReserveTargetQuota implements Function<Message<AssignStep>, Message<?>> {
  /** Longer than an assignment may run; a dead saga's hold is reclaimed after it. */
  static final long HOLD_SECONDS = 600;

  private final Branches branches;
  private final CapacityMapper capacity;

  public ReserveTargetQuota(Branches branches, CapacityMapper capacity) {
    this.branches = branches;
    this.capacity = capacity;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var vm = step.vm();
          var tenant = capacity.lockTenant(vm.toTenantId());
          if (tenant == null || !tenant.fits(vm.vcpus(), vm.memoryMib(), vm.diskGib())) {
            return Replies.failure(
                "quota_exceeded", "the new tenant's quota has no room for this VM");
          }
          capacity.holdTenantShare(
              new Reservation(
                  step.branch().gid(),
                  vm.vmId(),
                  vm.toTenantId(),
                  vm.nodeId(),
                  vm.vcpus(),
                  vm.memoryMib(),
                  vm.diskGib(),
                  1,
                  "assigning"),
              HOLD_SECONDS);
          return Replies.ok(Map.of("tenantId", vm.toTenantId()));
        });
  }
}
