package io.vmsaga.functions.ops;

import io.vmsaga.agent.api.MemorySpec;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /hotplugMemory} {@code {vmId, sizeMib}}: grows a running VM's memory to {@code
 * sizeMib} by plugging one DIMM of the difference, named after the size it brings the VM to.
 */
@Component("hotplugMemory")
public class HotplugMemory implements Function<Message<HotplugMemory.Request>, Message<?>> {
  /** DIMMs are plugged in whole multiples of this (QEMU aligns memory backends to large pages). */
  static final int DIMM_STEP_MIB = 128;

  public record Request(String vmId, Integer sizeMib) implements ForVm {}

  private final DirectOps ops;
  private final Growth growth;

  public HotplugMemory(DirectOps ops, Growth growth) {
    this.ops = ops;
    this.growth = growth;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return ops.on(
        message,
        Request.class,
        (request, target) -> {
          var vm = target.vm();
          Integer size = request.sizeMib();
          if (size == null
              || size < 64
              || size > 1024 * 1024
              || (size - vm.memoryMib()) % DIMM_STEP_MIB != 0) {
            return Replies.invalid(
                "sizeMib must be the VM's memory plus a multiple of " + DIMM_STEP_MIB);
          }
          if (VmStates.move(VmStates.Operation.HOTPLUG, target.state()).isEmpty()) {
            return DirectOps.notAllowed("hot-plug", target.state());
          }
          return growth.grow(
              target,
              vm.vcpus(),
              size,
              () ->
                  target
                      .agent()
                      .plugMemory(
                          vm.id(), "dimm-" + size, new MemorySpec((long) (size - vm.memoryMib()))));
        });
  }
}
