package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A qcow2 disk: virtual size, bytes used on the host, and whether a running VM of this node holds
 * it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiskInfo(
    String pool,
    String diskId,
    long sizeMib,
    long actualSizeBytes,
    String path,
    boolean inUse,
    String backingImageId) {}
