package io.vmsaga.functions.create;

import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Removes the VM's rows (VM, disks, NICs), but only while the saga calling this owns the VM. */
@Component("removeVmRecord")
public class RemoveVmRecord implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final VmMapper vms;

  public RemoveVmRecord(Branches branches, VmMapper vms) {
    this.branches = branches;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          String vmId = step.vm().vmId();
          if (vms.deleteOwnedOrSettledBy(vmId, step.branch().gid()) == 1) {
            vms.deleteDisks(vmId);
            vms.deleteNics(vmId);
          }
          return Replies.ok(Map.of("removed", vmId));
        });
  }
}
