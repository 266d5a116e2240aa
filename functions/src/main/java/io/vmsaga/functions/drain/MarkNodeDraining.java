package io.vmsaga.functions.drain;

import io.vmsaga.functions.drain.DrainPlan.DrainStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The node takes no more VMs: placement and migrations pick only {@code active} nodes. */
@Component("markNodeDraining")
public class MarkNodeDraining implements Function<Message<DrainStep>, Message<?>> {
  private final Branches branches;
  private final DrainRecords records;

  public MarkNodeDraining(Branches branches, DrainRecords records) {
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<DrainStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          records.moveNodeStatus(step.nodeId(), "active", "draining");
          String status = records.nodeStatus(step.nodeId());
          return "draining".equals(status)
              ? Replies.ok(Map.of("nodeId", step.nodeId(), "status", status))
              : Replies.failure(
                  "not_drainable", "node " + step.nodeId() + " is " + status + ", not active");
        });
  }
}
