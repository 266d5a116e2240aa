package io.vmsaga.functions.networks;

import io.vmsaga.functions.dtm.BranchRef;
import io.vmsaga.functions.saga.Step;

/**
 * A network as its sagas make or remove it: the bridge on every node, and where it has a CIDR, the
 * gateway (first host address) in the namespace each agent makes for it.
 */
public record NetworkPlan(
    String networkId, String name, String bridge, String tenantId, String cidr, String gateway) {

  /** The payload of every createNetwork and deleteNetwork step. */
  public record NetworkStep(BranchRef branch, NetworkPlan network) implements Step {}
}
