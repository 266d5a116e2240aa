package io.vmsaga.functions.disks;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Deletes the disk createDataDisk made; never one the VM had before. */
@Component("deleteDataDisk")
public class DeleteDataDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public DeleteDataDisk(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<DataDiskStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var disk = step.disk();
          if (disk.fresh()) {
            agents.on(disk.nodeId(), step.branch()).deleteDisk(disk.pool(), disk.diskId());
          }
          return Replies.ok(Map.of("deleted", disk.fresh()));
        });
  }
}
