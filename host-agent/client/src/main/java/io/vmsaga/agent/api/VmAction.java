package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code PUT /v1/vms/{vm_id}/actions}. {@code timeout_ms} bounds {@code start} (until QMP
 * is ready) and {@code stop} (powerdown → quit → SIGTERM → SIGKILL); null means the agent's
 * default.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmAction(Action action, Long timeoutMs) {

  public enum Action {
    @JsonProperty("start")
    START,
    @JsonProperty("stop")
    STOP,
    @JsonProperty("pause")
    PAUSE,
    @JsonProperty("resume")
    RESUME,
    @JsonProperty("reset")
    RESET,
    @JsonProperty("powerdown")
    POWERDOWN,
    /** QEMU ends now, no guest shutdown: the VM is about to be deleted or is a copy left over. */
    @JsonProperty("destroy")
    DESTROY
  }

  public static VmAction of(Action action) {
    return new VmAction(action, null);
  }

  public static VmAction of(Action action, long timeoutMs) {
    return new VmAction(action, timeoutMs);
  }
}
