package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getVmStatus}: what QEMU itself says ({@code query-status}) next to what was
 * recorded. When they disagree the record has just been corrected, and {@code corrected} says so.
 */
@Component("getVmStatus")
public class GetVmStatus implements Function<Message<GetVmStatus.Request>, Message<?>> {
  public record Request(String vmId) implements ForVm {}

  public record Status(
      String vmId, String state, String recordedState, String qemuStatus, boolean corrected) {}

  private final DirectOps ops;

  public GetVmStatus(DirectOps ops) {
    this.ops = ops;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.on(
        message,
        Request.class,
        (request, target) -> {
          String qemu =
              target.state().equals("stopped")
                  ? "not running"
                  : DirectOps.read(() -> target.agent().status(request.vmId()).status());
          return Replies.ok(
              new Status(
                  request.vmId(),
                  target.state(),
                  target.vm().state(),
                  qemu,
                  !target.state().equals(target.vm().state())));
        });
  }
}
