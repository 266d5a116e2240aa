package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The rebuild rolled back: the target lets go of the lease it took (only that one: a lease at
 * another generation or node stays), so the VM's own node keeps it should it come back.
 */
@Component("releaseVmLease")
public class ReleaseVmLease implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final MigrationMapper rows;
  private final Migrations migrations;

  public ReleaseVmLease(
      Branches branches, Agents agents, MigrationMapper rows, Migrations migrations) {
    this.branches = branches;
    this.agents = agents;
    this.rows = rows;
    this.migrations = migrations;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var move = step.move();
          if (migrations.pivoted(step.branch().gid())) {
            // past the pivot the VM runs on the target: its lease stays there
            return Replies.ok(Map.of("kept", move.targetNodeId()));
          }
          long generation = rows.generation(move.vmId()) + 1;
          agents.on(move.targetNodeId(), step.branch()).deleteLease(move.vmId(), generation);
          return Replies.ok(Map.of("released", move.targetNodeId()));
        });
  }
}
