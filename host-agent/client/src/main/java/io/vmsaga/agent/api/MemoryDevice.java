package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One entry of {@code query-memory-devices}; {@code id} is the QEMU device id ({@code
 * dimm-<device_id>}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MemoryDevice(
    String type, String id, long sizeBytes, int slot, String memdev, boolean hotplugged) {}
