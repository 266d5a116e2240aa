package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Plugs the new NIC into the VM's definition (it is stopped: it gets the NIC at its next start).
 */
@Component("plugTargetNic")
public class PlugTargetNic implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final AssignNics nics;

  public PlugTargetNic(Branches branches, AssignNics nics) {
    this.branches = branches;
    this.nics = nics;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var vm = step.vm();
          return Replies.ok(nics.plug(vm, vm.newNic(), step.branch()));
        });
  }
}
