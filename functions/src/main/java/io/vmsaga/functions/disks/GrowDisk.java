package io.vmsaga.functions.disks;

import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.disks.ResizePlan.ResizeStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The pivot: the agent grows the disk — online (QMP block_resize) while the VM's QEMU holds it,
 * else with qemu-img — after checking its pool has the room. Asking again for the size it has is
 * success.
 */
@Component("growDisk")
public class GrowDisk implements Function<Message<ResizeStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public GrowDisk(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<ResizeStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.disk();
          var grown =
              agents
                  .on(disk.nodeId(), step.branch())
                  .resizeDisk(disk.pool(), disk.diskId(), DiskSpec.ofMib(disk.toMib()));
          return Replies.ok(Map.of("diskId", grown.diskId(), "sizeMib", grown.sizeMib()));
        });
  }
}
