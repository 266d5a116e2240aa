package io.vmsaga.functions.networks;

import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.networks.NetworkPlan.NetworkStep;
import java.time.Duration;

/**
 * deleteNetwork, forward only like deleteVm: retired (refused while a NIC is on it, which changes
 * nothing); removed from every node; the row removed. A saga that times out leaves the network
 * {@code deleting}, and a new deleteNetwork takes it over.
 */
public final class DeleteNetworkSaga {
  private DeleteNetworkSaga() {}

  public static Saga of(String gid, NetworkPlan network, Duration timeoutToFail) {
    return Saga.named("deleteNetwork", gid)
        .timeoutToFail(timeoutToFail)
        .step("retireNetwork", "", branch -> new NetworkStep(branch, network))
        .step("deleteNetworkFromNodes", "", branch -> new NetworkStep(branch, network))
        .step("removeNetworkRecord", "", branch -> new NetworkStep(branch, network));
  }
}
