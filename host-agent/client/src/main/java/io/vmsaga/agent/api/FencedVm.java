package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A VM a fencing pass took off this node because its lease names another node: its QEMU killed
 * (when {@code qemuWasRunning}), its taps and definition deleted, its disks kept. {@code at} is
 * ISO-8601 UTC.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FencedVm(
    String vmId, String leaseNodeId, long leaseGeneration, boolean qemuWasRunning, Instant at) {}
