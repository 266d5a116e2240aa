package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.MigrationInfo;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Polls the migration: each call reads QEMU's progress on the source (waiting up to a second for
 * its end), records it for getVm, and answers ONGOING (DTM calls again after the retry interval)
 * until QEMU reports {@code completed} — the pivot, recorded here — or {@code failed}/{@code
 * cancelled}, a business failure that rolls the saga back. A cancel (asked by {@code
 * cancelMigration}, or because the target's agent stopped answering: a VM must not land where
 * nobody can manage it) is passed to QEMU, which then settles it one way or the other.
 */
@Component("awaitMigration")
public class AwaitMigration implements Function<Message<MigrationStep>, Message<?>> {
  static final String TARGET_UNREACHABLE = "target_unreachable";

  /**
   * How long a call waits for the migration to end; the source's agent watches QEMU meanwhile. A
   * small VM migrates in tens of milliseconds: waiting for it here, far below DTM's request
   * timeout, spares the saga a whole retry interval, and a long migration is still answered within
   * a second.
   */
  static final Duration SETTLE = Duration.ofSeconds(1);

  private final Branches branches;
  private final Agents agents;
  private final Migrations migrations;

  public AwaitMigration(Branches branches, Agents agents, Migrations migrations) {
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
          AgentClient source = agents.on(move.sourceNodeId(), step.branch());
          MigrationInfo info = source.migration(move.vmId(), SETTLE);
          migrations.record(gid, info);
          String status = OutgoingMigration.status(info);
          switch (status) {
            case "completed" -> {
              migrations.markPivoted(gid);
              return Replies.ok(info);
            }
            case "failed", "cancelled", "none" -> {
              String reason = migrations.cancelReason(gid);
              return Replies.failure(
                  reason == null ? "migration_failed" : reason,
                  "the migration ended " + status + " before the pivot");
            }
            default -> {
              String reason = migrations.cancelReason(gid);
              if (reason == null
                  && !answers(agents.on(move.targetNodeId(), step.branch()), move.vmId())) {
                migrations.requestCancel(gid, TARGET_UNREACHABLE);
                reason = TARGET_UNREACHABLE;
              }
              if (reason != null) {
                source.cancelMigration(move.vmId());
                return Replies.ongoing("cancelling the migration (" + reason + ")");
              }
              return Replies.ongoing("migrating: " + status);
            }
          }
        });
  }

  /**
   * False only when the target's agent gives no answer at all; a slow or erring agent is asked
   * again next time.
   */
  private static boolean answers(AgentClient target, String vmId) {
    try {
      target.getVm(vmId);
      return true;
    } catch (AgentException e) {
      return e.status() != 0;
    }
  }
}
