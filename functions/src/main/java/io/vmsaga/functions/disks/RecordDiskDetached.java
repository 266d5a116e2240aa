package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.DataDiskPlan.DataDiskStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * A deleted disk's record removed and its GiB given back to the tenant; a kept one marked detached.
 * The VM is given back.
 */
@Component("recordDiskDetached")
public class RecordDiskDetached implements Function<Message<DataDiskStep>, Message<?>> {
  private final Branches branches;
  private final DataDisks dataDisks;

  public RecordDiskDetached(Branches branches, DataDisks dataDisks) {
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
          dataDisks.recordDetached(disk, step.branch().gid());
          return Replies.ok(Map.of("diskId", disk.diskId(), "deleted", disk.delete()));
        });
  }
}
