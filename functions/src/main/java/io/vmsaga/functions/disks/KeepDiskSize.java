package io.vmsaga.functions.disks;

import io.vmsaga.functions.disks.ResizePlan.ResizeStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * growDisk's compensation: a disk does not shrink, so nothing is undone; running behind the barrier
 * still matters, since it waits for a grow in flight and bars one that comes late, so
 * releaseDiskGrowth then sees the final size.
 */
@Component("keepDiskSize")
public class KeepDiskSize implements Function<Message<ResizeStep>, Message<?>> {
  private final Branches branches;

  public KeepDiskSize(Branches branches) {
    this.branches = branches;
  }

  @Override
  public Message<?> apply(Message<ResizeStep> call) {
    return branches.compensate(
        this, call, step -> Replies.ok(Map.of("kept", step.disk().diskId())));
  }
}
