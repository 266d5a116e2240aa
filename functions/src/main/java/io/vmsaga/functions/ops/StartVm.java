package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.web.Replies;
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
    return ops.on(
        message,
        Request.class,
        (request, target) ->
            VmStates.move(VmStates.Operation.START, target.state())
                .<Message<?>>map(
                    move -> {
                      switch (move) {
                        case RESUME ->
                            target
                                .agent()
                                .action(request.vmId(), VmAction.of(VmAction.Action.RESUME));
                        case BOOT ->
                            target
                                .agent()
                                .action(request.vmId(), VmAction.of(VmAction.Action.START));
                        default -> {}
                      }
                      ops.record(target.vm(), target.state(), "running");
                      return Replies.ok(
                          new VmStatusView(
                              request.vmId(),
                              "running",
                              target.vm().vcpus(),
                              target.vm().memoryMib()));
                    })
                .orElseGet(() -> DirectOps.notAllowed("start", target.state())));
  }
}
