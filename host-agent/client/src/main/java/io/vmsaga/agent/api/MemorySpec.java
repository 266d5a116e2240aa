package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** Body of {@code PUT /v1/vms/{vm_id}/memory/{device_id}}: the size of the pc-dimm to plug. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MemorySpec(Long sizeMib) {
  public static MemorySpec ofMib(long sizeMib) {
    return new MemorySpec(sizeMib);
  }
}
