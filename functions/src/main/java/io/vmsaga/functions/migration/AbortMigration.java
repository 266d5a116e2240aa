package io.vmsaga.functions.migration;

import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The inverse of {@link StartMigration}: {@code migrate_cancel} on the source, and once the source
 * confirms that no more bytes move, the target's QEMU, config and taps go. QEMU decides atomically
 * between cancelled and completed: when it completed first, the VM runs on the target and this
 * compensation records the pivot and keeps it there (the later compensations then finish the move).
 */
@Component("abortMigration")
public class AbortMigration implements Function<Message<MigrationStep>, Message<?>> {
  /**
   * QEMU will move no more bytes for this attempt (none: there was none, or the source QEMU is not
   * running).
   */
  static final Set<String> ENDED = Set.of("none", "failed", "cancelled");

  private final Branches branches;
  private final Agents agents;
  private final Migrations migrations;
  private final MigrationMapper rows;
  private final TargetSide targetSide;

  public AbortMigration(
      Branches branches,
      Agents agents,
      Migrations migrations,
      MigrationMapper rows,
      TargetSide targetSide) {
    this.branches = branches;
    this.agents = agents;
    this.migrations = migrations;
    this.rows = rows;
    this.targetSide = targetSide;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var move = step.move();
          String gid = step.branch().gid();
          var source = agents.on(move.sourceNodeId(), step.branch());
          String status = statusOn(source, move.vmId());
          if (status.equals("completed")) {
            migrations.markPivoted(gid);
            return Replies.ok(
                Map.of(
                    "kept",
                    "the migration completed first: the VM runs on " + move.targetNodeId()));
          }
          if (!ENDED.contains(status)) {
            source.cancelMigration(move.vmId());
            return Replies.unavailable(
                "waiting for the source to end the migration (" + status + ")");
          }
          targetSide.removeVm(move, step.branch()).ifPresent(note -> rows.addNote(gid, note));
          return Replies.ok(Map.of("aborted", move.vmId()));
        });
  }

  private static String statusOn(AgentClient source, String vmId) {
    try {
      return OutgoingMigration.status(source.migration(vmId));
    } catch (AgentException e) {
      // no definition (404) or no QEMU (409) on the source: nothing migrates from there
      if (e.status() == 404 || e.status() == 409) {
        return "none";
      }
      throw e;
    }
  }
}
