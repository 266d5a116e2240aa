package io.vmsaga.functions.create;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.CapacityMapper.Reservation;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Holds the VM's share of its tenant's quota and of its node's capacity (overcommit ratios
 * applied), and records the VM as {@code creating}, owned by this saga. The node's share is
 * normally claimed already, where the trigger placed the VM; this adds the tenant's to the same
 * row. The hold expires if the saga dies.
 */
@Component("reserveResources")
public class ReserveResources implements Function<Message<VmStep>, Message<?>> {
  /**
   * Longer than any create saga may run (its timeout_to_fail), so only a dead saga's hold expires.
   */
  static final long HOLD_SECONDS = 600;

  private final Branches branches;
  private final CapacityMapper capacity;
  private final VmMapper vms;

  public ReserveResources(Branches branches, CapacityMapper capacity, VmMapper vms) {
    this.branches = branches;
    this.capacity = capacity;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          VmPlan vm = step.vm();
          String gid = step.branch().gid();
          var tenant = capacity.lockTenant(vm.tenantId());
          var node = capacity.lockNode(vm.nodeId());
          if (tenant == null || !tenant.fits(vm.vcpus(), vm.memoryMib(), vm.diskGib())) {
            return Replies.failure("quota_exceeded", "the tenant's quota has no room for this VM");
          }
          // the trigger's placement claimed the node's share already (core/Placement)
          boolean claimed =
              capacity.lockReservationsOf(vm.vmId()).stream()
                  .anyMatch(r -> r.id().equals(gid) && r.state().equals("placing"));
          if (claimed) {
            capacity.claimToHold(gid, vm.diskGib());
          } else {
            if (node == null || !node.fits(vm.vcpus(), vm.memoryMib())) {
              return Replies.failure(
                  "no_capacity", "node " + vm.nodeId() + " has no room for this VM");
            }
            capacity.hold(
                new Reservation(
                    gid,
                    vm.vmId(),
                    vm.tenantId(),
                    vm.nodeId(),
                    vm.vcpus(),
                    vm.memoryMib(),
                    vm.diskGib(),
                    "held"),
                gid,
                HOLD_SECONDS);
            capacity.moveNodeCommitment(vm.nodeId(), vm.vcpus(), vm.memoryMib());
          }
          capacity.moveTenantUsage(vm.tenantId(), 1, vm.vcpus(), vm.memoryMib(), vm.diskGib());
          vms.insertCreating(vm, step.branch().gid());
          return Replies.ok(new Reserved(vm.vmId(), vm.nodeId()));
        });
  }

  public record Reserved(String vmId, String nodeId) {}
}
