package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code PUT} and {@code PATCH /v1/pools/{pool}/disks/{disk_id}}; {@code image_id} only on
 * PUT.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiskSpec(Long sizeMib, String imageId) {
  public DiskSpec(Long sizeMib) {
    this(sizeMib, null);
  }

  public static DiskSpec ofMib(long sizeMib) {
    return new DiskSpec(sizeMib, null);
  }

  /** A qcow2 overlay whose backing file is the image (the node's cached copy in the local pool). */
  public static DiskSpec fromImage(String imageId, long sizeMib) {
    return new DiskSpec(sizeMib, imageId);
  }
}
