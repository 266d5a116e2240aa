package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code PUT /v1/vms/{vm_id}/cidata}: the NoCloud files. {@code meta_data} is required;
 * {@code user_data} (at most 64 KiB) and {@code network_config} (at most 16 KiB) are optional.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CidataSpec(String metaData, String userData, String networkConfig) {}
