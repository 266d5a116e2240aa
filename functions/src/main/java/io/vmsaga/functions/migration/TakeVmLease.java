package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The target takes the VM's lease on the shared pool at the next placement generation: from now on
 * the dead node's agent, back or not, may not run the VM (it fences it at start-up).
 */
@Component("takeVmLease")
public class TakeVmLease implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final MigrationMapper rows;

  public TakeVmLease(Branches branches, Agents agents, MigrationMapper rows) {
    this.branches = branches;
    this.agents = agents;
    this.rows = rows;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var move = step.move();
          long generation = rows.generation(move.vmId()) + 1;
          return Replies.ok(
              agents.on(move.targetNodeId(), step.branch()).putLease(move.vmId(), generation));
        });
  }
}
