package io.vmsaga.functions.create;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Destroys QEMU (the agent's {@code destroy}: quit, SIGKILL after a second): the VM's disk is
 * deleted next, so no guest shutdown is waited for — a graceful one that keeps the VM is stopVm's.
 * A VM the agent does not know was never started, which is what this step wants.
 */
@Component("stopQemu")
public class StopQemu implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public StopQemu(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          // the agent stops an unknown VM as success, like a DELETE
          agents
              .on(step.vm().nodeId(), step.branch())
              .action(step.vm().vmId(), VmAction.of(VmAction.Action.DESTROY));
          return Replies.ok(Map.of("stopped", step.vm().vmId()));
        });
  }
}
