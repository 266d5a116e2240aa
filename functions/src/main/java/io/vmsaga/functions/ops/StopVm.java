package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.web.Check;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /stopVm} {@code {vmId, timeoutSeconds?}}: powers the VM off as a machine is: ACPI
 * powerdown first, so the guest shuts down cleanly; if it has not within half the timeout (default
 * {@value #DEFAULT_TIMEOUT_SECONDS} s), QEMU is told to quit, then signalled. Pausing is {@code
 * pauseVm}.
 */
@Component("stopVm")
public class StopVm implements Function<Message<StopVm.Request>, Message<?>> {
  static final int DEFAULT_TIMEOUT_SECONDS = 30;
  static final int MAX_TIMEOUT_SECONDS = 300;

  public record Request(String vmId, Integer timeoutSeconds) implements ForVm {}

  private final DirectOps ops;

  public StopVm(DirectOps ops) {
    this.ops = ops;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.transition(
        message,
        Request.class,
        VmStates.Operation.STOP,
        "stopped",
        request ->
            request.timeoutSeconds() == null
                ? new Check()
                : new Check()
                    .range(request.timeoutSeconds(), 1, MAX_TIMEOUT_SECONDS, "timeoutSeconds"),
        (request, move) ->
            move == VmStates.Move.NOTHING
                ? null
                : VmAction.of(
                    VmAction.Action.STOP,
                    1000L
                        * (request.timeoutSeconds() == null
                            ? DEFAULT_TIMEOUT_SECONDS
                            : request.timeoutSeconds())));
  }
}
