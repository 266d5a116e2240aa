package io.vmsaga.functions.networks;

import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.networks.NetworkPlan.NetworkStep;
import java.time.Duration;

/**
 * createNetwork: the row ({@code creating}) ↔ removed; the bridge, namespace and gateway on every
 * node ↔ removed from every node; the row {@code active}. A failed create leaves no trace.
 */
public final class CreateNetworkSaga {
  private CreateNetworkSaga() {}

  public static Saga of(String gid, NetworkPlan network, Duration timeoutToFail) {
    return Saga.named("createNetwork", gid)
        .timeoutToFail(timeoutToFail)
        .step("recordNetwork", "removeNetworkRecord", branch -> new NetworkStep(branch, network))
        .step(
            "putNetworkOnNodes",
            "deleteNetworkFromNodes",
            branch -> new NetworkStep(branch, network))
        .step("activateNetwork", "", branch -> new NetworkStep(branch, network));
  }
}
