package io.vmsaga.functions.core;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.Step;
import java.util.Map;

/** The payload of every create and delete step: which branch, and the VM it works on. */
public record VmStep(BranchRef branch, VmPlan vm) implements Step {
  @Override
  public Map<String, String> logFields() {
    return Step.fields("vmId", vm.vmId(), "nodeId", vm.nodeId());
  }
}
