package io.vmsaga.functions.assign;

import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.Addresses;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Removes the new NIC's tap and gives its address back. */
@Component("deleteTargetNic")
public class DeleteTargetNic implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final Addresses addresses;

  public DeleteTargetNic(Branches branches, Agents agents, Addresses addresses) {
    this.branches = branches;
    this.agents = agents;
    this.addresses = addresses;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var vm = step.vm();
          var nic = vm.newNic();
          agents.on(vm.nodeId(), step.branch()).deleteTap(nic.tap());
          addresses.free(nic.networkId(), vm.vmId());
          return Replies.ok(Map.of("deleted", nic.tap()));
        });
  }
}
