package io.vmsaga.functions.create;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Asks QEMU itself, over the agent's QMP connection, whether the guest runs. A QEMU that is not
 * (yet) running answers "retry": it either gets there, or the saga times out and is compensated.
 */
@Component("verifyQmp")
public class VerifyQmp implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public VerifyQmp(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var status = agents.on(step.vm().nodeId(), step.branch()).status(step.vm().vmId());
          return status.running()
              ? Replies.ok(status)
              : Replies.unavailable("QEMU reports " + status.status());
        });
  }
}
