package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A VM's lease on the shared pool: the node that may run the VM, and the placement generation at
 * which it took the lease. Also the content of the lease file, {@code
 * <shared>/leases/<vm_id>.json}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeaseInfo(String vmId, String nodeId, long generation) {}
