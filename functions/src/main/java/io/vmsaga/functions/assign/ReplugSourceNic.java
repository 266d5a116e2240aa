package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Plugs the old NIC in again, where it was. */
@Component("replugSourceNic")
public class ReplugSourceNic implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final AssignNics nics;

  public ReplugSourceNic(Branches branches, AssignNics nics) {
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
          return Replies.ok(nics.plug(vm, vm.oldNic(), step.branch()));
        });
  }
}
