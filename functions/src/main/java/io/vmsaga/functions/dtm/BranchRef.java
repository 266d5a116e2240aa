package io.vmsaga.functions.dtm;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Which saga branch a step payload belongs to. Decided by the saga definition before submit and
 * carried inside the payload, because on Lambda DTM's query parameters do not reach the function.
 * {@code pivotBranchId} names the saga's pivot, when it has one (see {@link Saga#pivot}). For the
 * metrics of how sagas end, {@code saga} names its kind, the last branch's payload its final action
 * and the first branch's its first compensation (the function that runs last when the saga is
 * rolled back), if any.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BranchRef(
    String gid,
    String branchId,
    String pivotBranchId,
    String saga,
    String finalAction,
    String firstUndo) {
  public BranchRef(String gid, String branchId) {
    this(gid, branchId, null, null, null, null);
  }

  /**
   * How the saga ends when {@code function} succeeds on this branch, if it does: {@code succeed} or
   * {@code failed}. By function, not by DTM's op: deleteVm runs create's compensations as its
   * actions.
   */
  public String endsSagaAs(String function) {
    if (function.equals(finalAction)) {
      return "succeed";
    }
    return function.equals(firstUndo) ? "failed" : null;
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
