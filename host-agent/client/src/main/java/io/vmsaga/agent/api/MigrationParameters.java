package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** Capabilities and parameters set on the migration source before {@code migrate}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationParameters(
    Boolean xbzrle, Boolean autoConverge, Long downtimeLimitMs, Long maxBandwidthMib) {}
