package io.vmsaga.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** A node's copy of a shared image in its local pool, the backing file of local overlay disks. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CachedImageInfo(
    String pool,
    String imageId,
    long virtualSizeMib,
    long actualSizeBytes,
    String sha256,
    String path,
    boolean inUse) {}
