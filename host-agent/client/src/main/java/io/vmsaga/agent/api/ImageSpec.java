package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * Body of {@code PUT /v1/images/{image_id}}: an http(s) URL to import from, optionally the sha256
 * of its bytes and a size bound (default 8 GiB).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageSpec(String url, String sha256, Long maxSizeMib) {}
