package io.vmsaga.functions.images;

import io.vmsaga.functions.core.ImageMapper.ImageRow;

/** An image as its users see it. */
public record ImageView(
    String imageId,
    String name,
    String state,
    String url,
    String sha256,
    String osType,
    Long virtualSizeMib,
    Long actualSizeBytes) {
  static ImageView of(ImageRow r) {
    return new ImageView(
        r.id(),
        r.name(),
        r.state(),
        r.url(),
        r.sha256(),
        r.osType(),
        r.virtualSizeMib(),
        r.actualSizeBytes());
  }
}
