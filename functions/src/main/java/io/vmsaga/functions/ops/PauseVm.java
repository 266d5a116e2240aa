package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.ForVm;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /pauseVm} {@code {vmId}}: freezes the running VM where it is (QMP {@code stop}): its
 * memory and devices stay, no vCPU runs; {@code resumeVm} lets it go on. Pausing a paused VM is
 * success.
 */
@Component("pauseVm")
public class PauseVm implements Function<Message<PauseVm.Request>, Message<?>> {
  public record Request(String vmId) implements ForVm {}

  private final DirectOps ops;

  public PauseVm(DirectOps ops) {
    this.ops = ops;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.transition(
        message,
        Request.class,
        VmStates.Operation.PAUSE,
        "paused",
        (request, move) ->
            move == VmStates.Move.NOTHING ? null : VmAction.of(VmAction.Action.PAUSE));
  }
}
