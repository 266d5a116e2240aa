package io.vmsaga.functions.images;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.images.ImagePlan.ImageStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The record becomes {@code active} with the sizes and checksum the agent found. */
@Component("activateImage")
public class ActivateImage implements Function<Message<ImageStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final ImageMapper images;

  public ActivateImage(Branches branches, Agents agents, ImageMapper images) {
    this.branches = branches;
    this.agents = agents;
    this.images = images;
  }

  @Override
  public Message<?> apply(Message<ImageStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var image = step.image();
          var info =
              agents.on(image.storeNodeId(), step.branch()).getImage(image.imageId()).orElse(null);
          if (info == null || info.virtualSizeMib() == null) {
            return Replies.unavailable("the image's file is not readable yet");
          }
          images.activate(
              image.imageId(),
              step.branch().gid(),
              info.virtualSizeMib(),
              info.actualSizeBytes() == null ? 0 : info.actualSizeBytes(),
              info.sha256());
          return Replies.ok(Map.of("imageId", image.imageId(), "state", "active"));
        });
  }
}
