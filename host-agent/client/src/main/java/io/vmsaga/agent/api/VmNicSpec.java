package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code PUT /v1/vms/{vm_id}/nics/{nic_id}}: the existing tap the NIC is plugged into and
 * its unicast MAC.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmNicSpec(String tap, String mac) {}
