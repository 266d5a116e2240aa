package io.vmsaga.functions.dtm;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The body of DTM's {@code POST /api/dtmsvr/submit} for a saga (docs/design.md §3). Times are in
 * seconds.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SagaRequest(
    String gid,
    String transType,
    List<Step> steps,
    List<String> payloads,
    boolean waitResult,
    long timeoutToFail,
    long retryInterval,
    long requestTimeout,
    Map<String, String> branchHeaders,
    String customData) {

  public record Step(String action, String compensate) {}
}
