package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** Body of {@code PUT} and {@code PATCH /v1/pools/{pool}/disks/{disk_id}}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiskSpec(Long sizeMib) {
  public static DiskSpec ofMib(long sizeMib) {
    return new DiskSpec(sizeMib);
  }
}
