package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.agent.api.MigrationSpec;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Starts the incoming side on the target — its taps, the VM's own config read from the source
 * (hot-plugged devices included, else the target refuses the stream), QEMU listening on the planned
 * port — and then {@code migrate} on the source. Answers at once; {@link AwaitMigration} follows
 * the progress. Every call is idempotent: a target already listening and a migration already under
 * way or done are left as they are.
 */
@Component("startMigration")
public class StartMigration implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final TargetSide targetSide;
  private final Agents agents;
  private final Migrations migrations;

  public StartMigration(
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
          if (migrations.cancelReason(gid) != null) {
            return Replies.failure("cancelled", "the migration was cancelled before it started");
          }
          var source = agents.on(move.sourceNodeId(), step.branch());
          var target = agents.on(move.targetNodeId(), step.branch());
          var config = source.getVm(move.vmId()).orElse(null);
          if (config == null) {
            return Replies.failure(
                "not_on_source", "node " + move.sourceNodeId() + " has no definition of the VM");
          }
          targetSide.define(move, config.config(), target);
          target.startIncoming(
              move.vmId(), new IncomingSpec(move.targetHost(), move.incomingPort()));
          MigrationInfo info =
              source.migrate(
                  move.vmId(),
                  new MigrationSpec("tcp:" + move.targetHost() + ":" + move.incomingPort()));
          migrations.record(gid, info);
          return Replies.ok(info);
        });
  }
}
