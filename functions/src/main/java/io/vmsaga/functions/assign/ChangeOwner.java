package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The VM is the new tenant's, with the new NIC's record in place of the old one's. */
@Component("changeOwner")
public class ChangeOwner implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final AssignRecords records;
  private final VmMapper vms;

  public ChangeOwner(Branches branches, AssignRecords records, VmMapper vms) {
    this.branches = branches;
    this.records = records;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var vm = step.vm();
          if (records.setTenant(vm.vmId(), vm.fromTenantId(), vm.toTenantId(), step.branch().gid())
              == 0) {
            return Replies.failure("not_owned", "the VM is not the old tenant's under this saga");
          }
          vms.insertNic(vm.vmId(), vm.newNic().asPlanNic());
          records.deleteNic(vm.vmId(), vm.oldNic().nicId());
          return Replies.ok(Map.of("tenantId", vm.toTenantId()));
        });
  }
}
