package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /stopVm}: pauses the VM (QMP {@code stop}), or with {@code "mode":"shutdown"} shuts
 * it down fully: ACPI powerdown, then quit, SIGTERM and SIGKILL within the agent's deadline.
 */
@Component("stopVm")
public class StopVm implements Function<Message<StopVm.Request>, Message<?>> {
  public record Request(String vmId, String mode) implements ForVm {
    boolean shutdown() {
      return "shutdown".equals(mode);
    }
  }

  private final DirectOps ops;

  public StopVm(DirectOps ops) {
    this.ops = ops;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.on(
        message,
        Request.class,
        (request, target) -> {
          if (request.mode() != null && !request.shutdown() && !"pause".equals(request.mode())) {
            return Replies.invalid("mode must be pause or shutdown");
          }
          var operation =
              request.shutdown() ? VmStates.Operation.SHUTDOWN : VmStates.Operation.PAUSE;
          String after = request.shutdown() ? "stopped" : "paused";
          return VmStates.move(operation, target.state())
              .<Message<?>>map(
                  move -> {
                    switch (move) {
                      case PAUSE ->
                          target.agent().action(request.vmId(), VmAction.of(VmAction.Action.PAUSE));
                      case SHUTDOWN ->
                          target.agent().action(request.vmId(), VmAction.of(VmAction.Action.STOP));
                      default -> {}
                    }
                    ops.record(target.vm(), target.state(), after);
                    return Replies.ok(
                        new VmStatusView(
                            request.vmId(), after, target.vm().vcpus(), target.vm().memoryMib()));
                  })
              .orElseGet(
                  () ->
                      DirectOps.notAllowed(
                          request.shutdown() ? "shutdown" : "pause", target.state()));
        });
  }
}
