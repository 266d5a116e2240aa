package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Stops the VM on its node (graceful, with a deadline), so that its local disks can be copied
 * consistently.
 */
@Component("stopSourceVm")
public class StopSourceVm implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public StopSourceVm(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step ->
            Replies.ok(
                agents
                    .on(step.move().sourceNodeId(), step.branch())
                    .action(
                        step.move().vmId(),
                        VmAction.of(VmAction.Action.STOP, TargetSide.STOP_DEADLINE_MS))));
  }
}
