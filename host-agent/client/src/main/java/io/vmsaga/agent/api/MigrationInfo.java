package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * {@code query-migrate}, flattened. {@code status} is QEMU's: {@code none}, {@code setup}, {@code
 * active}, {@code device}, {@code completed}, {@code failed}, {@code cancelling}, {@code cancelled}
 * …
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationInfo(
    String status,
    Long totalBytes,
    Long transferredBytes,
    Long remainingBytes,
    Double mbps,
    Long downtimeMs,
    Long totalTimeMs,
    Long setupTimeMs) {

  /** True once QEMU will not move any more bytes for this attempt. */
  public boolean finished() {
    return "completed".equals(status) || "failed".equals(status) || "cancelled".equals(status);
  }
}
