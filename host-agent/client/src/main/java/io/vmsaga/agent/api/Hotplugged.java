package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Devices plugged at run time, replayed on the command line at the next start or on a migration
 * target.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Hotplugged(List<HotplugCpu> cpus, List<HotplugMemory> memory) {
  public static Hotplugged none() {
    return new Hotplugged(List.of(), List.of());
  }
}
