package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /hotplugCpu} {@code {vmId, vcpus}}: grows a running VM to {@code vcpus} vCPUs (slots
 * from query-hotpluggable-cpus).
 */
@Component("hotplugCpu")
public class HotplugCpu implements Function<Message<HotplugCpu.Request>, Message<?>> {
  public record Request(String vmId, Integer vcpus) implements ForVm {}

  private final DirectOps ops;
  private final Growth growth;

  public HotplugCpu(DirectOps ops, Growth growth) {
    this.ops = ops;
    this.growth = growth;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.on(
        message,
        Request.class,
        (request, target) -> {
          if (request.vcpus() == null || request.vcpus() < 1 || request.vcpus() > 64) {
            return Replies.invalid("vcpus must be between 1 and 64");
          }
          if (VmStates.move(VmStates.Operation.HOTPLUG, target.state()).isEmpty()) {
            return DirectOps.notAllowed("hot-plug", target.state());
          }
          var vm = target.vm();
          // vCPU i (0-based) is device cpu-i: the boot vCPUs have no device, plugged ones are named
          // by index
          return growth.grow(
              target,
              request.vcpus(),
              vm.memoryMib(),
              () -> {
                for (int i = vm.vcpus(); i < request.vcpus(); i++) {
                  target.agent().plugCpu(vm.id(), "cpu-" + i);
                }
              });
        });
  }
}
