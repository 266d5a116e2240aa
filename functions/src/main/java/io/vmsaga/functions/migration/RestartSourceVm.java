package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Leaves the VM on its source as it was: started again if it ran before the move. Never past the
 * pivot, when the VM runs on the target: two copies of it must never run.
 */
@Component("restartSourceVm")
public class RestartSourceVm implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public RestartSourceVm(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var move = step.move();
          if (move.wasRunning()) {
            agents
                .on(move.sourceNodeId(), step.branch())
                .action(move.vmId(), VmAction.of(VmAction.Action.START));
          }
          return Replies.ok(Map.of("vmId", move.vmId(), "running", move.wasRunning()));
        });
  }
}
