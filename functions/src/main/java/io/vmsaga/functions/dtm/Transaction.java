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
   * The JSON body the failed action answered, when that is why the saga rolled back: DTM keeps it
   * in the rollback reason as {@code url:<action> return failed: <body> FAILURE}; "" otherwise (a
   * timeout has its own words).
   */
  public String failureBody() {
    String reason = rollbackReason == null ? "" : rollbackReason;
    int start = reason.indexOf('{');
    int end = reason.lastIndexOf('}');
    return start >= 0 && end > start ? reason.substring(start, end + 1) : "";
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
