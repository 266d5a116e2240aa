package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Unplugs the disk from the VM; a guest that does not release it in time makes DTM retry (503
 * unplug_pending), and the saga rolls back at its timeout.
 */
@Component("detachDataDisk")
public class DetachDataDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final DataDisks dataDisks;

  public DetachDataDisk(Branches branches, DataDisks dataDisks) {
    this.branches = branches;
    this.dataDisks = dataDisks;
  }

  @Override
  public Message<?> apply(Message<DataDiskStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var disk = step.disk();
          dataDisks.unplug(disk, step.branch());
          return Replies.ok(Map.of("unplugged", disk.diskId()));
        });
  }
}
