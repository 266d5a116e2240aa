package io.vmsaga.functions.create;

import io.vmsaga.functions.core.Addresses;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Removes the VM's tap; a tap that is already gone is success. */
@Component("deleteNic")
public class DeleteNic implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final Addresses addresses;

  public DeleteNic(Branches branches, Agents agents, Addresses addresses) {
    this.branches = branches;
    this.agents = agents;
    this.addresses = addresses;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var nic = step.vm().nic();
          agents.on(step.vm().nodeId(), step.branch()).deleteTap(nic.tap());
          addresses.free(nic.networkId(), step.vm().vmId());
          return Replies.ok(Map.of("deleted", nic.tap()));
        });
  }
}
