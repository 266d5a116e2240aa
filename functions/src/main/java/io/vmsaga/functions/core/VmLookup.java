package io.vmsaga.functions.core;

import io.vmsaga.functions.core.Tenants.Tenant;
import io.vmsaga.functions.core.VmMapper.VmRow;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import org.slf4j.MDC;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * How every function that acts on one VM finds it: the caller (401), its typed input (400), a valid
 * VM id (400), and a VM the caller may see — its own, or any for an administrator — else 404, so
 * another tenant's VM is indistinguishable from none.
 */
@Component
public class VmLookup {
  public interface Handler<R> {
    Message<?> apply(R request, Tenant caller, VmRow vm);
  }

  private final Tenants tenants;
  private final VmMapper vms;

  public VmLookup(Tenants tenants, VmMapper vms) {
    this.tenants = tenants;
    this.vms = vms;
  }

  public <R extends ForVm> Message<?> on(Message<?> message, Class<R> type, Handler<R> handler) {
    return tenants.serve(
        message,
        type,
        (caller, request) -> {
          Check check = new Check().matches(request.vmId(), Check.ID, "vmId", true);
          if (check.failed()) {
            return check.reply();
          }
          VmRow vm = vms.find(request.vmId());
          if (vm == null || !(vm.tenantId().equals(caller.id()) || caller.isAdmin())) {
            return Replies.notFound("VM");
          }
          // the VM's fields on the trigger's log lines, as steps have theirs
          try (var vmId = MDC.putCloseable("vmId", vm.id());
              var nodeId = MDC.putCloseable("nodeId", vm.nodeId())) {
            return handler.apply(request, caller, vm);
          }
        });
  }
}
