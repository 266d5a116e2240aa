package io.vmsaga.functions.images;

import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** {@code POST /getImage} {@code {imageId}}. */
@Component("getImage")
public class GetImage implements Function<Message<GetImage.Request>, Message<?>> {
  public record Request(String imageId) {}

  private final Tenants tenants;
  private final ImageMapper images;

  public GetImage(Tenants tenants, ImageMapper images) {
    this.tenants = tenants;
    this.images = images;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> {
          var check = new Check().matches(request.imageId(), Check.ID, "imageId", true);
          if (check.failed()) {
            return check.reply();
          }
          var image = images.find(request.imageId());
          return image == null ? Replies.notFound("image") : Replies.ok(ImageView.of(image));
        });
  }
}
