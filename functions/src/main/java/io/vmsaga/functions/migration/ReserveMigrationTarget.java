package io.vmsaga.functions.migration;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Holds the VM's size on the target node: a second reservation of the VM, which moves node
 * commitment only.
 */
@Component("reserveMigrationTarget")
public class ReserveMigrationTarget implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final MoveRecords records;

  public ReserveMigrationTarget(Branches branches, MoveRecords records) {
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var move = step.move();
          return records.holdTarget(move, step.branch().gid())
              ? Replies.ok(Map.of("reserved", move.targetNodeId()))
              : Replies.failure(
                  "no_capacity", "node " + move.targetNodeId() + " has no room for this VM");
        });
  }
}
