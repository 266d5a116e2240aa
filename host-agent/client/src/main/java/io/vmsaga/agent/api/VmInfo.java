package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A VM as the agent sees it: {@code state} is {@code defined} when no QEMU runs, otherwise the QEMU
 * run state ({@code running}, {@code paused}, {@code inmigrate}, {@code postmigrate}, {@code
 * shutdown} …). A {@code stop} of a VM the agent does not know answers {@code absent}, without a
 * config.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmInfo(String vmId, VmConfig config, String state, Long pid, boolean qmpConnected) {
  /** No QEMU runs; the config is there. */
  public static final String DEFINED = "defined";

  /** Neither a config nor a QEMU on this agent: what {@code stop} of an unknown VM answers. */
  public static final String ABSENT = "absent";

  public static VmInfo absent(String vmId) {
    return new VmInfo(vmId, null, ABSENT, null, false);
  }
}
