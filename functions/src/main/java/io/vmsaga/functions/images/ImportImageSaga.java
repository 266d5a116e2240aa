package io.vmsaga.functions.images;

import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.images.ImagePlan.ImageStep;
import java.time.Duration;

/**
 * importImage: the image's record ({@code importing}) ↔ removed; the file streamed into the shared
 * image pool by an agent, checked (checksum, qcow2 or raw, no backing or external data file, size
 * bound) ↔ the file removed; the record {@code active}. A failed import leaves neither.
 */
public final class ImportImageSaga {
  private ImportImageSaga() {}

  public static Saga of(String gid, ImagePlan image, Duration timeoutToFail) {
    return Saga.named("importImage", gid)
        .timeoutToFail(timeoutToFail)
        .step("recordImage", "removeImageRecord", branch -> new ImageStep(branch, image))
        .step("fetchImage", "deleteImageFile", branch -> new ImageStep(branch, image))
        .step("activateImage", "", branch -> new ImageStep(branch, image));
  }
}
