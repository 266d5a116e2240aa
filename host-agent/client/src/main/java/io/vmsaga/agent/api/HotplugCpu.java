package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A vCPU plugged at run time: the QEMU CPU type and the slot properties from {@code
 * query-hotpluggable-cpus} ({@code socket-id}, {@code core-id}, {@code thread-id} …), kept so a
 * migration destination can replay the same device.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HotplugCpu(String deviceId, String driver, Map<String, Long> props) {}
