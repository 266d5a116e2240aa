package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code PUT /v1/vms/{vm_id}/nics/{nic_id}}: the existing tap the NIC is plugged into, its
 * unicast MAC and, optionally, the slot it must take (else the lowest free of 1..7): slot 0, the
 * root bus, only in a VM that does not run, to put a NIC back where it was.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmNicSpec(String tap, String mac, Integer slot) {
  public VmNicSpec(String tap, String mac) {
    this(tap, mac, null);
  }
}
