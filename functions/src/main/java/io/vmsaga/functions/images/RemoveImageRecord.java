package io.vmsaga.functions.images;

import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.images.ImagePlan.ImageStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Removes the record this import made (a record of another import stays). */
@Component("removeImageRecord")
public class RemoveImageRecord implements Function<Message<ImageStep>, Message<?>> {
  private final Branches branches;
  private final ImageMapper images;

  public RemoveImageRecord(Branches branches, ImageMapper images) {
    this.branches = branches;
    this.images = images;
  }

  @Override
  public Message<?> apply(Message<ImageStep> call) {
    return branches.compensate(
        this,
        call,
        step ->
            Replies.ok(
                Map.of(
                    "removed",
                    images.deleteOwned(step.image().imageId(), step.branch().gid()) == 1)));
  }
}
