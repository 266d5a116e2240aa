package io.vmsaga.functions.migration;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The source node's reservation goes, the target's becomes the VM's own, and the saga lets go of
 * the VM.
 */
@Component("releaseSourceReservation")
public class ReleaseSourceReservation implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final MoveRecords records;

  public ReleaseSourceReservation(Branches branches, MoveRecords records) {
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          records.switchReservations(step.move(), step.branch().gid());
          records.settle(step.move(), step.branch().gid(), "succeed");
          return Replies.ok(
              Map.of("vmId", step.move().vmId(), "nodeId", step.move().targetNodeId()));
        });
  }
}
