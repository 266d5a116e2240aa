package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Asks the target's agent whether it sees every disk of the VM in the shared pool. Reads only. */
@Component("verifySharedDisks")
public class VerifySharedDisks implements Function<Message<MigrationStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public VerifySharedDisks(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<MigrationStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var move = step.move();
          var target = agents.on(move.targetNodeId(), step.branch());
          for (var disk : move.disks()) {
            if (disk.local()) {
              return Replies.failure(
                  "local_disk", "a local disk cannot migrate live: use coldMigrateVm");
            }
            if (!target.hasDisk(disk.pool(), disk.diskId())) {
              return Replies.failure(
                  "disk_not_visible",
                  "node " + move.targetNodeId() + " does not see the shared disk " + disk.diskId());
            }
          }
          return Replies.ok(Map.of("visible", move.disks().size()));
        });
  }
}
