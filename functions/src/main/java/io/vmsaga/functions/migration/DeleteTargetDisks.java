package io.vmsaga.functions.migration;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Deletes the disks {@link CopyDisks} put on the target, after any copy of this process still
 * running has ended (else it would land after the delete). Past the pivot they are the VM's disks
 * and stay.
 */
@Component("deleteTargetDisks")
public class DeleteTargetDisks implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final DiskCopies copies;
  private final TargetSide targetSide;
  private final MigrationMapper rows;

  public DeleteTargetDisks(
      Branches branches, DiskCopies copies, TargetSide targetSide, MigrationMapper rows) {
    this.branches = branches;
    this.copies = copies;
    this.targetSide = targetSide;
    this.rows = rows;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var move = step.move();
          String gid = step.branch().gid();
          for (var disk : move.disks()) {
            if (copies.find(gid + "/" + disk.diskId()).map(copy -> !copy.isDone()).orElse(false)) {
              return Replies.unavailable("a copy of disk " + disk.diskId() + " is still running");
            }
          }
          move.disks().forEach(d -> copies.forget(gid + "/" + d.diskId()));
          targetSide
              .removeLocalDisks(move, step.branch())
              .ifPresent(note -> rows.addNote(gid, note));
          return Replies.ok(Map.of("deleted", move.targetNodeId()));
        });
  }
}
