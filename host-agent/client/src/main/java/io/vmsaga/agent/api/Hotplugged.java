package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

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
