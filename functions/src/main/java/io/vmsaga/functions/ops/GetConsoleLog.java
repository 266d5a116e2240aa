package io.vmsaga.functions.ops;

import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getConsoleLog} {@code {vmId, tailBytes?}}: the end of the VM's serial console
 * (default 16 KiB, at most 1 MiB), for the tenant that owns the VM.
 */
@Component("getConsoleLog")
public class GetConsoleLog implements Function<Message<GetConsoleLog.Request>, Message<?>> {
  static final int DEFAULT_TAIL_BYTES = 16 * 1024;

  public record Request(String vmId, Integer tailBytes) implements ForVm {}

  public record Console(String vmId, String nodeId, int tailBytes, String text) {}

  private final VmLookup lookup;
  private final Agents agents;

  public GetConsoleLog(VmLookup lookup, Agents agents) {
    this.lookup = lookup;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return lookup.on(
        message,
        Request.class,
        (request, caller, vm) -> {
          int tail = request.tailBytes() == null ? DEFAULT_TAIL_BYTES : request.tailBytes();
          var check = new Check().range(tail, 1, 1 << 20, "tailBytes");
          if (check.failed()) {
            return check.reply();
          }
          if (vm.nodeId() == null) {
            return Replies.conflict("wrong_state", "the VM is on no node");
          }
          try {
            String text = agents.on(vm.nodeId()).console(vm.id(), tail);
            return Replies.ok(new Console(vm.id(), vm.nodeId(), tail, text));
          } catch (AgentException e) {
            return e.status() == 404
                ? Replies.conflict("wrong_state", "the VM has not been defined on its node yet")
                : Replies.unavailable("host agent: " + e.code());
          }
        });
  }
}
