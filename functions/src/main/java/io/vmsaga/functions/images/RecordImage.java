package io.vmsaga.functions.images;

import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.images.ImagePlan.ImageStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The image's record, {@code importing} and owned by this saga; a name taken is a failure. */
@Component("recordImage")
public class RecordImage implements Function<Message<ImageStep>, Message<?>> {
  private final Branches branches;
  private final ImageMapper images;

  public RecordImage(Branches branches, ImageMapper images) {
    this.branches = branches;
    this.images = images;
  }

  @Override
  public Message<?> apply(Message<ImageStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var image = step.image();
          if (images.insertImporting(
                  image.imageId(),
                  image.name(),
                  image.url(),
                  image.sha256(),
                  image.osType(),
                  step.branch().gid())
              == 0) {
            return Replies.failure("exists", "an image of this name or id exists");
          }
          return Replies.ok(Map.of("imageId", image.imageId(), "state", "importing"));
        });
  }
}
