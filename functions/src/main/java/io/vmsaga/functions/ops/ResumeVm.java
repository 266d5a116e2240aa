package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.ForVm;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /resumeVm} {@code {vmId}}: lets a paused VM run on (QMP {@code cont}); a running VM
 * is success; a stopped VM is booted by {@code startVm}, not here.
 */
@Component("resumeVm")
public class ResumeVm implements Function<Message<ResumeVm.Request>, Message<?>> {
  public record Request(String vmId) implements ForVm {}

  private final DirectOps ops;

  public ResumeVm(DirectOps ops) {
    this.ops = ops;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.transition(
        message,
        Request.class,
        VmStates.Operation.RESUME,
        "running",
        (request, move) ->
            move == VmStates.Move.NOTHING ? null : VmAction.of(VmAction.Action.RESUME));
  }
}
