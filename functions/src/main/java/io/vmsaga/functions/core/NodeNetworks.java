package io.vmsaga.functions.core;

import io.vmsaga.agent.api.NetworkSpec;
import io.vmsaga.agent.client.AgentClient;

/**
 * A network on one node, as registerNode and the network sagas make and remove it: with a CIDR its
 * gateway lives in the namespace the agent makes for it, else the node only gets the bridge.
 */
public final class NodeNetworks {
  private NodeNetworks() {}

  public static void put(
      AgentClient agent, String networkId, String bridge, String cidr, String gateway) {
    if (cidr == null) {
      agent.putBridge(bridge);
    } else {
      agent.putNetwork(
          networkId, new NetworkSpec(bridge, gateway + "/" + Addresses.Ipv4.prefix(cidr)));
    }
  }

  public static void delete(AgentClient agent, String networkId, String bridge, String cidr) {
    if (cidr == null) {
      agent.deleteBridge(bridge);
    } else {
      agent.deleteNetwork(networkId);
    }
  }
}
