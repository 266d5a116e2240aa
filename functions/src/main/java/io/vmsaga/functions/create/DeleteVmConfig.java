package io.vmsaga.functions.create;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Removes the VM's definition from its node (the agent refuses while QEMU runs, so this retries
 * until it stopped).
 */
@Component("deleteVmConfig")
public class DeleteVmConfig implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public DeleteVmConfig(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          agents.on(step.vm().nodeId(), step.branch()).deleteVm(step.vm().vmId());
          return Replies.ok(Map.of("deleted", step.vm().vmId()));
        });
  }
}
