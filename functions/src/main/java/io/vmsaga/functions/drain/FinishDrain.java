package io.vmsaga.functions.drain;

import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.drain.DrainPlan.DrainStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * An empty draining node becomes {@code drained}. One with VMs left keeps its status: {@code
 * draining} when a move failed (the drain is {@code stopped}), {@code active} when undrainNode
 * cancelled the drain; the drain's rows say what moved and what did not.
 */
@Component("finishDrain")
public class FinishDrain implements Function<Message<DrainStep>, Message<?>> {
  private final Branches branches;
  private final DrainRecords records;
  private final VmMapper vms;

  public FinishDrain(Branches branches, DrainRecords records, VmMapper vms) {
    this.vms = vms;
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<DrainStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          String gid = step.branch().gid();
          if (vms.countOnNode(step.nodeId()) == 0) {
            records.moveNodeStatus(step.nodeId(), "draining", "drained");
          }
          String status = records.nodeStatus(step.nodeId());
          // undrainNode put the node back in service: cancelled; a move failed: stopped
          records.end(
              gid,
              switch (status) {
                case "drained" -> "drained";
                case "active" -> "cancelled";
                default -> "stopped";
              });
          var drain = records.find(gid);
          return Replies.ok(Map.of("nodeId", step.nodeId(), "state", drain.state()));
        });
  }
}
