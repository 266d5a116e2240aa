package io.vmsaga.functions.create;

import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Removes the node's cached copy of the VM's image when nothing else needs it: no disk is backed by
 * it (the agent refuses with {@code in_use} then) and no other create is on its way to it.
 */
@Component("uncacheImage")
public class UncacheImage implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final VmMapper vms;

  public UncacheImage(Branches branches, Agents agents, VmMapper vms) {
    this.branches = branches;
    this.agents = agents;
    this.vms = vms;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var vm = step.vm();
          if (!CacheImage.needed(step)
              || vms.createsNeedingCachedImage(vm.imageId(), vm.nodeId(), vm.vmId()) > 0) {
            return Replies.ok(Map.of("kept", "in use or not cached"));
          }
          try {
            agents.on(vm.nodeId(), step.branch()).deleteCachedImage(vm.imageId());
          } catch (AgentException e) {
            if (!"in_use".equals(e.code())) {
              throw e;
            }
            return Replies.ok(Map.of("kept", "a disk on the node is backed by it"));
          }
          return Replies.ok(Map.of("uncached", vm.imageId()));
        });
  }
}
