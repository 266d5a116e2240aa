package io.vmsaga.functions.dtm;

/**
 * Where a global transaction stands, without its branches: what DTM's {@code GET
 * /api/dtmsvr/all?gid=} reads (one row). Waiting for a saga asks this, not {@link Transaction}.
 */
public record SagaStatus(String gid, String status, String rollbackReason) {

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
}
