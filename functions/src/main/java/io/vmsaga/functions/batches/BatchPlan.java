package io.vmsaga.functions.batches;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.saga.Step;
import java.time.Duration;

/**
 * The batch's own saga: one step, driveBatch, that DTM calls until the batch is done (it answers
 * ONGOING meanwhile). Nothing to compensate: each VM is its own createVm saga, and what a batch
 * created stays (specification §3.3.3).
 */
public final class BatchPlan {
  private BatchPlan() {}

  /** Long enough for 100 slow creates one at a time; DTM gives up on the driver after it. */
  static final Duration TIMEOUT_TO_FAIL = Duration.ofHours(2);

  public static Saga of(String batchId) {
    return Saga.named("batch", batchId)
        .timeoutToFail(TIMEOUT_TO_FAIL)
        .step("driveBatch", "", branch -> new BatchStep(branch, batchId));
  }

  public record BatchStep(BranchRef branch, String batchId) implements Step {}
}
