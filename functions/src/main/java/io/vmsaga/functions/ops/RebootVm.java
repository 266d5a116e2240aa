package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.ForVm;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** {@code POST /rebootVm}: resets a running VM (QMP {@code system_reset}). */
@Component("rebootVm")
public class RebootVm implements Function<Message<RebootVm.Request>, Message<?>> {
  public record Request(String vmId) implements ForVm {}

  private final DirectOps ops;

  public RebootVm(DirectOps ops) {
    this.ops = ops;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.transition(
        message,
        Request.class,
        VmStates.Operation.REBOOT,
        "running",
        (request, move) -> VmAction.of(VmAction.Action.RESET));
  }
}
