package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Defines the VM on the target (its taps, its config as the source has it) and starts it there if
 * it ran before the move. That is the switch of a cold move, recorded as its pivot: from here it
 * goes forward.
 */
@Component("startTargetVm")
public class StartTargetVm implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final TargetSide targetSide;
  private final Agents agents;
  private final Migrations migrations;

  public StartTargetVm(
      Branches branches, Agents agents, Migrations migrations, TargetSide targetSide) {
    this.targetSide = targetSide;
    this.branches = branches;
    this.agents = agents;
    this.migrations = migrations;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var move = step.move();
          String gid = step.branch().gid();
          if (migrations.cancelReason(gid) != null && !migrations.pivoted(gid)) {
            return Replies.failure("cancelled", "the migration was cancelled");
          }
          var config =
              agents.on(move.sourceNodeId(), step.branch()).getVm(move.vmId()).orElse(null);
          if (config == null) {
            return Replies.failure(
                "not_on_source", "node " + move.sourceNodeId() + " has no definition of the VM");
          }
          var switched = targetSide.switchTo(move, config.config(), step.branch());
          migrations.markPivoted(gid);
          return Replies.ok(switched);
        });
  }
}
