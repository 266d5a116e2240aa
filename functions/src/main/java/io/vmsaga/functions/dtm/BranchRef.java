package io.vmsaga.functions.dtm;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Which saga branch a step payload belongs to. Decided by the saga definition before submit and
 * carried inside the payload, because on Lambda DTM's query parameters do not reach the function.
 * {@code pivotBranchId} names the saga's pivot, when it has one (see {@link Saga#pivot}); {@code
 * saga} its kind and {@code lastBranchId} its last step, for the metrics of how sagas end.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BranchRef(
    String gid, String branchId, String pivotBranchId, String saga, String lastBranchId) {
  public BranchRef(String gid, String branchId) {
    this(gid, branchId, null, null, null);
  }

  /**
   * How this branch ends the saga when it succeeds, if it does: {@code succeed} or {@code failed}.
   */
  public String endsSagaAs(String op) {
    if (op.equals("action") && branchId.equals(lastBranchId)) {
      return "succeed";
    }
    return op.equals("compensate") && branchId.equals("01") ? "failed" : null;
  }

  /**
   * True for a compensation that has nothing left to undo once the saga has passed its pivot: those
   * of the pivot and of the steps between the first and the pivot. The first step's compensation
   * still runs: there the saga finishes, forward, what its pivot made true.
   */
  public boolean keptPastPivot() {
    return pivotBranchId != null
        && branchId.compareTo("01") > 0
        && branchId.compareTo(pivotBranchId) <= 0;
  }
}
