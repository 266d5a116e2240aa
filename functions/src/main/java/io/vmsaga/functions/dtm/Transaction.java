package io.vmsaga.functions.dtm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What DTM's {@code GET /api/dtmsvr/query} reports of one global transaction: its status and its
 * branches (the steps, for GetSaga and the tests).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Transaction(String gid, String status, String rollbackReason, List<Branch> branches) {

  /** The transaction without its branches. */
  public SagaStatus saga() {
    return new SagaStatus(gid, status, rollbackReason);
  }

  public boolean finished() {
    return saga().finished();
  }

  public long count(String op, String branchStatus) {
    return branches.stream()
        .filter(b -> b.op().equals(op) && b.status().equals(branchStatus))
        .count();
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Branch(String branchId, String op, String status, String url) {}
}
