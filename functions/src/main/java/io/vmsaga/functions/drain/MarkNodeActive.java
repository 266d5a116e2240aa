package io.vmsaga.functions.drain;

import io.vmsaga.functions.drain.DrainPlan.DrainStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The drain rolled back: the node takes VMs again and the drain ends {@code failed}. The VMs that
 * moved meanwhile stay where they went (each move was a saga of its own and finished).
 */
@Component("markNodeActive")
public class MarkNodeActive implements Function<Message<DrainStep>, Message<?>> {
  private final Branches branches;
  private final DrainRecords records;

  public MarkNodeActive(Branches branches, DrainRecords records) {
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<DrainStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          records.moveNodeStatus(step.nodeId(), "draining", "active");
          records.end(step.branch().gid(), "failed");
          return Replies.ok(Map.of("nodeId", step.nodeId(), "status", "active"));
        });
  }
}
