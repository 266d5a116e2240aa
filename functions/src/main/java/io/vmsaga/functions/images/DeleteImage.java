package io.vmsaga.functions.images;

import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /deleteImage} {@code {imageId}} (administrators): refused with 409 {@code in_use}
 * while a VM made from it exists and {@code busy} while it imports; else the nodes' cached copies,
 * the shared file and the record go. Idempotent: each removal is.
 */
@Component("deleteImage")
public class DeleteImage implements Function<Message<GetImage.Request>, Message<?>> {
  private final Tenants tenants;
  private final ImageMapper images;
  private final CapacityMapper capacity;
  private final Agents agents;

  public DeleteImage(Tenants tenants, ImageMapper images, CapacityMapper capacity, Agents agents) {
    this.tenants = tenants;
    this.images = images;
    this.capacity = capacity;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<GetImage.Request> message) {
    return tenants.serve(
        message,
        GetImage.Request.class,
        (caller, request) -> {
          if (!caller.isAdmin()) {
            return Replies.forbidden();
          }
          var check = new Check().matches(request.imageId(), Check.ID, "imageId", true);
          if (check.failed()) {
            return check.reply();
          }
          var image = images.find(request.imageId());
          if (image == null) {
            return Replies.notFound("image");
          }
          if (image.ownerGid() != null) {
            return Replies.conflict("busy", "the image is importing in saga " + image.ownerGid());
          }
          if (images.vmsUsing(image.id()) > 0) {
            return Replies.conflict("in_use", "VMs made from this image still exist");
          }
          var nodes = capacity.nodes();
          try {
            for (var node : nodes) {
              agents.on(node.id()).deleteCachedImage(image.id());
            }
            // the shared image pool is the same on every node: one of them removes the file
            nodes.stream()
                .findFirst()
                .ifPresent(node -> agents.on(node.id()).deleteImage(image.id()));
          } catch (AgentException e) {
            return "in_use".equals(e.code())
                ? Replies.conflict("in_use", "a disk on a node is backed by this image")
                : Replies.unavailable("host agent: " + e.code());
          }
          images.deleteSettled(image.id());
          return Replies.ok(Map.of("deleted", image.id()));
        });
  }
}
