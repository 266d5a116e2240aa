package io.vmsaga.functions.create;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.ImageCache;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Removes the node's cached copy of the VM's image when nothing else there needs it. */
@Component("uncacheImage")
public class UncacheImage implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final ImageCache cache;

  public UncacheImage(Branches branches, Agents agents, ImageCache cache) {
    this.branches = branches;
    this.agents = agents;
    this.cache = cache;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var vm = step.vm();
          boolean released =
              vm.cachesImage()
                  && cache.release(
                      agents.on(vm.nodeId(), step.branch()), vm.nodeId(), vm.imageId(), vm.vmId());
          return Replies.ok(Map.of("uncached", released));
        });
  }
}
