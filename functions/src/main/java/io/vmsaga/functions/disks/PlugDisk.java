package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Plugs the disk into the VM: live into a running QEMU, into its definition otherwise. */
@Component("plugDisk")
public class PlugDisk implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final DataDisks dataDisks;

  public PlugDisk(Branches branches, DataDisks dataDisks) {
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
          return Replies.ok(dataDisks.plug(disk, step.branch()));
        });
  }
}
