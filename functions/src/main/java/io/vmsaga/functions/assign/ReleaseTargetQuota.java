package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Gives the new tenant back what reserveTargetQuota held, and the VM back in its state. */
@Component("releaseTargetQuota")
public class ReleaseTargetQuota implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final CapacityMapper capacity;
  private final VmMapper vms;

  public ReleaseTargetQuota(Branches branches, CapacityMapper capacity, VmMapper vms) {
    this.branches = branches;
    this.capacity = capacity;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var vm = step.vm();
          String gid = step.branch().gid();
          var released =
              capacity.release(vm.vmId(), r -> r.id().equals(gid) && r.state().equals("assigning"));
          vms.settle(vm.vmId(), gid, vm.vmState(), "failed");
          return Replies.ok(Map.of("released", released.size()));
        });
  }
}
