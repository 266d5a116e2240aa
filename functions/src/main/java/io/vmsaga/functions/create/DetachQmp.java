package io.vmsaga.functions.create;

import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The inverse of {@link VerifyQmp}. Verifying leaves nothing behind: the QMP connection belongs to
 * the agent and closes when {@link StopQemu} (the next compensation) ends QEMU. So the barrier
 * records this branch as compensated and there is nothing else to undo.
 */
@Component("detachQmp")
public class DetachQmp implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;

  public DetachQmp(Branches branches) {
    this.branches = branches;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this, call, step -> Replies.ok(Map.of("detached", step.vm().vmId())));
  }
}
