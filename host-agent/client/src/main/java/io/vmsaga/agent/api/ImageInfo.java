package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * An image of the image pool. {@code state} is {@code importing}, {@code active} or {@code failed}
 * (then {@code error} says why); sizes, format and path are known once it is active. {@code sha256}
 * is that of the bytes downloaded from {@code url}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageInfo(
    String imageId,
    String state,
    String url,
    String format,
    Long virtualSizeMib,
    Long actualSizeBytes,
    String sha256,
    String path,
    ErrorBody error) {
  public static final String IMPORTING = "importing";
  public static final String ACTIVE = "active";
  public static final String FAILED = "failed";
}
