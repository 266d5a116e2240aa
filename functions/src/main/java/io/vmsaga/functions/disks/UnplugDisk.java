package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Unplugs what plugDisk plugged in (the guest releases it; unplugged already is success). */
@Component("unplugDisk")
public class UnplugDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final DataDisks dataDisks;

  public UnplugDisk(Branches branches, DataDisks dataDisks) {
    this.branches = branches;
    this.dataDisks = dataDisks;
  }

  @Override
  public Message<?> apply(Message<DataDiskStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var disk = step.disk();
          dataDisks.unplug(disk, step.branch());
          return Replies.ok(Map.of("unplugged", disk.diskId()));
        });
  }
}
