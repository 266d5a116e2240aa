package io.vmsaga.functions.create;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Starts QEMU from the persisted definition; the agent answers once QMP greeted it, and a running
 * VM is success.
 */
@Component("startQemu")
public class StartQemu implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public StartQemu(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step ->
            Replies.ok(
                agents
                    .on(step.vm().nodeId(), step.branch())
                    .action(step.vm().vmId(), VmAction.of(VmAction.Action.START))));
  }
}
