package io.vmsaga.functions.dtm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** What DTM's {@code GET /api/dtmsvr/query} reports of one global transaction. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Transaction(String gid, String status, String rollbackReason, List<Branch> branches) {

  /**
   * The body the failed action answered, when that is why the saga rolled back: DTM keeps it as the
   * rollback reason with " FAILURE" appended (a timeout has its own words instead).
   */
  public String failureBody() {
    String reason = rollbackReason == null ? "" : rollbackReason;
    return reason.endsWith(" FAILURE") ? reason.substring(0, reason.length() - 8) : reason;
  }

  public boolean finished() {
    return "succeed".equals(status) || "failed".equals(status);
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
