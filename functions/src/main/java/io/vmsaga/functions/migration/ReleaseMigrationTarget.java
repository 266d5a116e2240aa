package io.vmsaga.functions.migration;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The last compensation of every rolled-back move: gives the target node its reservation back and
 * hands the VM, as it was, back to no saga. A rollback that comes after the pivot (DTM's timeout,
 * or a step past it that failed) cannot undo a VM that now runs on the target: there the move is
 * finished instead (source removed, metadata and reservations switched), so the records always say
 * where the VM runs.
 */
@Component("releaseMigrationTarget")
public class ReleaseMigrationTarget implements Function<Message<MigrationStep>, Message<?>> {
  private static final Logger log = LoggerFactory.getLogger(ReleaseMigrationTarget.class);

  private final Branches branches;
  private final MoveRecords records;
  private final Migrations migrations;
  private final MigrationMapper rows;
  private final SourceSide sourceSide;

  public ReleaseMigrationTarget(
      Branches branches,
      MoveRecords records,
      Migrations migrations,
      MigrationMapper rows,
      SourceSide sourceSide) {
    this.branches = branches;
    this.records = records;
    this.migrations = migrations;
    this.rows = rows;
    this.sourceSide = sourceSide;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var move = step.move();
          String gid = step.branch().gid();
          if (migrations.pivoted(gid)) {
            log.warn(
                "migration of {} rolled back past its pivot: finishing the move to {} instead",
                move.vmId(),
                move.targetNodeId());
            if (!MigrationPlan.EVACUATE.equals(move.kind())) {
              sourceSide.remove(move, step.branch()); // an evacuated node fences its copy itself
            }
            records.pointAtTarget(move, gid);
            records.leaseToTarget(move, step.branch());
            records.switchReservations(move, gid);
            rows.addNote(gid, "rolled back past the pivot: the move was finished instead");
            records.settle(move, gid, "failed");
            return Replies.ok(Map.of("finished", move.targetNodeId()));
          }
          records.releaseTarget(move, gid);
          records.settle(move, gid, "failed");
          return Replies.ok(Map.of("released", move.targetNodeId()));
        });
  }
}
