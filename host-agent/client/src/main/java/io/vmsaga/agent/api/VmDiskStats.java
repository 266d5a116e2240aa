package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * I/O of one disk of a running VM as its QEMU counts it (QMP {@code query-blockstats}: what the
 * guest's device read and wrote, in bytes and in requests) since that QEMU started. Only disks the
 * QEMU has are listed.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmDiskStats(
    String pool,
    String diskId,
    String deviceId,
    long readBytes,
    long writeBytes,
    long readOps,
    long writeOps) {}
