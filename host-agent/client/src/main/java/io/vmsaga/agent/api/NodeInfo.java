package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** {@code GET /v1/node}: node facts and everything this agent owns, for reconciliation. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeInfo(
    String nodeId,
    int cpus,
    long memoryMib,
    String accelerator,
    String qemuVersion,
    List<PoolInfo> pools,
    List<VmSummary> vms,
    List<DiskSummary> disks,
    List<TapInfo> taps,
    List<BridgeInfo> bridges,
    List<NetworkInfo> networks,
    List<ImageInfo> images) {}
