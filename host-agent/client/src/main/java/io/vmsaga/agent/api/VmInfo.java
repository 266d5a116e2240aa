package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A VM as the agent sees it: {@code state} is {@code defined} when no QEMU runs, otherwise the QEMU
 * run state ({@code running}, {@code paused}, {@code inmigrate}, {@code postmigrate}, {@code
 * shutdown} …).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmInfo(String vmId, VmConfig config, String state, Long pid, boolean qmpConnected) {
  /** No QEMU runs; the config is there. */
  public static final String DEFINED = "defined";
}
