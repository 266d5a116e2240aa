package io.vmsaga.functions.migration;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.Step;
import java.util.Map;

/** The payload of every migration step: which branch, and the move it works on. */
public record MigrationStep(BranchRef branch, MigrationPlan move) implements Step {
  @Override
  public Map<String, String> logFields() {
    return Step.fields(
        "vmId", move.vmId(), "nodeId", move.sourceNodeId(), "targetNodeId", move.targetNodeId());
  }
}
