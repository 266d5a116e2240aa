package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.web.Replies;
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
    return ops.on(
        message,
        Request.class,
        (request, target) ->
            VmStates.move(VmStates.Operation.REBOOT, target.state())
                .<Message<?>>map(
                    move -> {
                      target.agent().action(request.vmId(), VmAction.of(VmAction.Action.RESET));
                      return Replies.ok(
                          new VmStatusView(
                              request.vmId(),
                              "running",
                              target.vm().vcpus(),
                              target.vm().memoryMib()));
                    })
                .orElseGet(() -> DirectOps.notAllowed("reboot", target.state())));
  }
}
