package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The VM is the old tenant's again, with its old NIC's record. */
@Component("restoreOwner")
public class RestoreOwner implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final AssignRecords records;
  private final VmMapper vms;

  public RestoreOwner(Branches branches, AssignRecords records, VmMapper vms) {
    this.branches = branches;
    this.records = records;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var vm = step.vm();
          records.setTenant(vm.vmId(), vm.toTenantId(), vm.fromTenantId(), step.branch().gid());
          vms.insertNic(vm.vmId(), vm.oldNic().asPlanNic());
          records.deleteNic(vm.vmId(), vm.newNic().nicId());
          return Replies.ok(Map.of("tenantId", vm.fromTenantId()));
        });
  }
}
