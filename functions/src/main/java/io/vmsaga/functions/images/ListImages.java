package io.vmsaga.functions.images;

import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** {@code POST /listImages}: every image, for every tenant (images are shared). */
@Component("listImages")
public class ListImages implements Function<Message<Map<String, Object>>, Message<?>> {
  private final Tenants tenants;
  private final ImageMapper images;

  public ListImages(Tenants tenants, ImageMapper images) {
    this.tenants = tenants;
    this.images = images;
  }

  @Override
  public Message<?> apply(Message<Map<String, Object>> message) {
    return tenants
        .caller(message)
        .<Message<?>>map(
            caller ->
                Replies.ok(Map.of("images", images.all().stream().map(ImageView::of).toList())))
        .orElseGet(Replies::unauthorized);
  }
}
