package io.vmsaga.functions.create;

import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Creates the VM's tap on its network's bridge; the MAC is fixed in the plan and used by the VM
 * config.
 */
@Component("createNic")
public class CreateNic implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public CreateNic(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var nic = step.vm().nic();
          return Replies.ok(
              agents
                  .on(step.vm().nodeId(), step.branch())
                  .putTap(nic.tap(), new TapSpec(nic.bridge())));
        });
  }
}
