package io.vmsaga.functions.migration;

import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Records the VM on its target: node, local disks, taps, the next placement generation; a VM on
 * shared disks gets its lease there at that generation (so a node it left that comes back from the
 * dead fences its stale copy). Past the pivot, so it has no compensation: the records follow where
 * QEMU runs, and a restore would point them at a node the VM has left.
 */
@Component("updateVmNode")
public class UpdateVmNode implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final MoveRecords records;

  public UpdateVmNode(Branches branches, MoveRecords records) {
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          records.pointAtTarget(step.move(), step.branch().gid());
          records.leaseToTarget(step.move(), step.branch());
          return Replies.ok(
              Map.of("vmId", step.move().vmId(), "nodeId", step.move().targetNodeId()));
        });
  }
}
