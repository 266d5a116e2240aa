package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Takes the new NIC out of the VM again. */
@Component("unplugTargetNic")
public class UnplugTargetNic implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final AssignNics nics;

  public UnplugTargetNic(Branches branches, AssignNics nics) {
    this.branches = branches;
    this.nics = nics;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var vm = step.vm();
          nics.unplug(vm, vm.newNic(), step.branch());
          return Replies.ok(Map.of("unplugged", vm.newNic().nicId()));
        });
  }
}
