package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.Addresses;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The last step, forward only: the old tenant's usage released and the VM's reservations moved to
 * the new tenant (replacing the hold, so its counters stay); the old tap and address removed; the
 * VM given back.
 */
@Component("releaseSourceQuota")
public class ReleaseSourceQuota implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final CapacityMapper capacity;
  private final AssignRecords records;
  private final VmMapper vms;
  private final Agents agents;
  private final Addresses addresses;

  public ReleaseSourceQuota(
      Branches branches,
      CapacityMapper capacity,
      AssignRecords records,
      VmMapper vms,
      Agents agents,
      Addresses addresses) {
    this.branches = branches;
    this.capacity = capacity;
    this.records = records;
    this.vms = vms;
    this.agents = agents;
    this.addresses = addresses;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var vm = step.vm();
          String gid = step.branch().gid();
          java.util.stream.Stream.of(vm.fromTenantId(), vm.toTenantId())
              .sorted()
              .forEach(capacity::lockTenant);
          for (var r : capacity.lockReservationsOf(vm.vmId())) {
            if (r.tenantId().equals(vm.fromTenantId()) && r.state().equals("committed")) {
              capacity.moveTenantUsage(
                  r.tenantId(), -r.vmCount(), -r.vcpus(), -r.memoryMib(), -r.diskGib());
              capacity.moveTenantUsage(
                  vm.toTenantId(), r.vmCount(), r.vcpus(), r.memoryMib(), r.diskGib());
            }
          }
          records.retenant(vm.vmId(), vm.fromTenantId(), vm.toTenantId());
          for (var r : capacity.lockReservationsOf(vm.vmId())) {
            if (r.id().equals(gid) && r.state().equals("assigning")) {
              capacity.moveTenantUsage(
                  r.tenantId(), -r.vmCount(), -r.vcpus(), -r.memoryMib(), -r.diskGib());
              records.dropHold(gid);
            }
          }
          agents.on(vm.nodeId(), step.branch()).deleteTap(vm.oldNic().tap());
          addresses.free(vm.oldNic().networkId(), vm.vmId());
          vms.settle(vm.vmId(), gid, vm.vmState(), "succeed");
          return Replies.ok(Map.of("vmId", vm.vmId(), "tenantId", vm.toTenantId()));
        });
  }
}
