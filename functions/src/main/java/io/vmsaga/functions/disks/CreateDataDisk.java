package io.vmsaga.functions.disks;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Makes the new disk, blank, in its pool on the VM's node. */
@Component("createDataDisk")
public class CreateDataDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public CreateDataDisk(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<DataDiskStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.disk();
          if (!disk.fresh()) {
            return Replies.ok(Map.of("diskId", disk.diskId(), "made", false));
          }
          return Replies.ok(
              agents
                  .on(disk.nodeId(), step.branch())
                  .putDisk(disk.pool(), disk.diskId(), DiskSpec.ofMib(disk.sizeGib() * 1024L)));
        });
  }
}
