package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.ForVm;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /startVm}: resumes a paused VM (QMP {@code cont}) or boots a stopped one from its
 * definition.
 */
@Component("startVm")
public class StartVm implements Function<Message<StartVm.Request>, Message<?>> {
  public record Request(String vmId) implements ForVm {}

  private final DirectOps ops;

  public StartVm(DirectOps ops) {
    this.ops = ops;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.transition(
        message,
        Request.class,
        VmStates.Operation.START,
        "running",
        (request, move) ->
            switch (move) {
              case RESUME -> VmAction.of(VmAction.Action.RESUME);
              case BOOT -> VmAction.of(VmAction.Action.START);
              default -> null;
            });
  }
}
