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
 * Stops QEMU: ACPI powerdown, then quit, SIGTERM, SIGKILL within a deadline the agent keeps. A VM
 * the agent does not know was never started, which is what this step wants.
 */
@Component("stopQemu")
public class StopQemu implements Function<Message<VmStep>, Message<?>> {
  /**
   * This stop destroys the VM (its disk is deleted next), so the guest gets only a brief chance to
   * power off before QEMU quits; a graceful shutdown that keeps the VM is stopVm's.
   */
  static final long STOP_DEADLINE_MS = 500;

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
              .action(step.vm().vmId(), VmAction.of(VmAction.Action.STOP, STOP_DEADLINE_MS));
          return Replies.ok(Map.of("stopped", step.vm().vmId()));
        });
  }
}
