package io.vmsaga.functions.drain;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.saga.Step;
import java.time.Duration;
import java.util.Map;

/**
 * Draining a node: it stops taking VMs, every VM on it moves (each its own migration saga, a few at
 * a time), and it ends {@code drained}. What moved stays moved whatever happens next: the moves are
 * sagas of their own. A VM that cannot move stops the drain, the node still {@code draining}, and
 * the report says what moved and what did not; undrainNode puts the node back in service.
 */
public final class DrainPlan {
  private DrainPlan() {}

  /** Long enough for a node full of VMs moved two at a time; DTM gives up on the drain after it. */
  static final Duration TIMEOUT_TO_FAIL = Duration.ofHours(2);

  public static Saga of(String gid, String nodeId) {
    return Saga.named("drainNode", gid)
        .timeoutToFail(TIMEOUT_TO_FAIL)
        .step("markNodeDraining", "markNodeActive", branch -> new DrainStep(branch, nodeId))
        // answers ONGOING until every VM moved or one could not
        .step("driveDrain", "", branch -> new DrainStep(branch, nodeId))
        // the node is drained (or stays draining with the report): from here only forward
        .pivot("finishDrain", "", branch -> new DrainStep(branch, nodeId));
  }

  public record DrainStep(BranchRef branch, String nodeId) implements Step {
    @Override
    public Map<String, String> logFields() {
      return Step.fields("nodeId", nodeId);
    }
  }
}
