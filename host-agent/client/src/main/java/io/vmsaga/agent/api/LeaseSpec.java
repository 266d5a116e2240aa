package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code PUT /v1/vms/{vm_id}/lease}: the placement generation (1 or more) at which this
 * node takes the VM's lease; the control plane increments it on every placement change.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeaseSpec(Long generation) {
  public static LeaseSpec of(long generation) {
    return new LeaseSpec(generation);
  }
}
