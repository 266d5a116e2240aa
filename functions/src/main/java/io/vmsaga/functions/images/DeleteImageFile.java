package io.vmsaga.functions.images;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.images.ImagePlan.ImageStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Removes the image's file (and an import still running) from the shared image pool. */
@Component("deleteImageFile")
public class DeleteImageFile implements Function<Message<ImageStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;

  public DeleteImageFile(Branches branches, Agents agents) {
    this.branches = branches;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<ImageStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          agents.on(step.image().storeNodeId(), step.branch()).deleteImage(step.image().imageId());
          return Replies.ok(Map.of("deleted", step.image().imageId()));
        });
  }
}
