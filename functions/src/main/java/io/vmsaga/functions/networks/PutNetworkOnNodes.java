package io.vmsaga.functions.networks;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.NodeNetworks;
import io.vmsaga.functions.networks.NetworkPlan.NetworkStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Makes the network on every registered node: its bridge, and with a CIDR the namespace holding its
 * gateway. Repeated safely; a node that does not answer makes DTM retry until the saga's timeout
 * rolls it back.
 */
@Component("putNetworkOnNodes")
public class PutNetworkOnNodes implements Function<Message<NetworkStep>, Message<?>> {
  private final Branches branches;
  private final NetworkRecords records;
  private final Agents agents;

  public PutNetworkOnNodes(Branches branches, NetworkRecords records, Agents agents) {
    this.branches = branches;
    this.records = records;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<NetworkStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var network = step.network();
          for (String node : records.nodes()) {
            NodeNetworks.put(
                agents.on(node, step.branch()),
                network.networkId(),
                network.bridge(),
                network.cidr(),
                network.gateway());
          }
          return Replies.ok(Map.of("nodes", records.nodes()));
        });
  }
}
