package io.vmsaga.functions.migration;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The inverse of {@link StartTargetVm}: QEMU, config and taps off the target, unless the move
 * passed its pivot.
 */
@Component("removeTargetVm")
public class RemoveTargetVm implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final TargetSide targetSide;
  private final MigrationMapper rows;

  public RemoveTargetVm(Branches branches, TargetSide targetSide, MigrationMapper rows) {
    this.branches = branches;
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
          targetSide.removeVm(move, step.branch()).ifPresent(note -> rows.addNote(gid, note));
          return Replies.ok(Map.of("removed", move.vmId(), "from", move.targetNodeId()));
        });
  }
}
