package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** One entry of {@code query-cpus-fast}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CpuInfo(int cpuIndex, String qomPath, long threadId, Map<String, Long> props) {}
