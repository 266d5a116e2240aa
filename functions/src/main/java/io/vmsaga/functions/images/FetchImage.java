package io.vmsaga.functions.images;

import io.vmsaga.agent.api.ImageInfo;
import io.vmsaga.agent.api.ImageSpec;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.images.ImagePlan.ImageStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Has the store node's agent stream the URL into the shared image pool and check it; answers "call
 * again" (425) while the agent imports, and the agent's reason when it refused the image
 * (checksum_mismatch, unsafe_image, too_large, unreachable …), which fails the saga.
 */
@Component("fetchImage")
public class FetchImage implements Function<Message<ImageStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public FetchImage(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<ImageStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var image = step.image();
          var agent = agents.on(image.storeNodeId(), step.branch());
          ImageInfo info =
              agent
                  .getImage(image.imageId())
                  .orElseGet(
                      () ->
                          agent.putImage(
                              image.imageId(),
                              new ImageSpec(image.url(), image.sha256(), image.maxSizeMib())));
          return switch (info.state()) {
            case ImageInfo.ACTIVE -> Replies.ok(info);
            case ImageInfo.FAILED ->
                Replies.failure(
                    info.error() == null ? "import_failed" : info.error().code(),
                    info.error() == null ? "the agent refused the image" : info.error().message());
            default -> Replies.ongoing("importing");
          };
        });
  }
}
