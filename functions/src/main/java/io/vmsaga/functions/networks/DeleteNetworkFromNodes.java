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
 * Removes the network from every registered node (an agent keeps a bridge that still has ports or
 * that it did not make). As createNetwork's compensation and as a deleteNetwork step.
 */
@Component("deleteNetworkFromNodes")
public class DeleteNetworkFromNodes implements Function<Message<NetworkStep>, Message<?>> {
  private final Branches branches;
  private final NetworkRecords records;
  private final Agents agents;

  public DeleteNetworkFromNodes(Branches branches, NetworkRecords records, Agents agents) {
    this.branches = branches;
    this.records = records;
    this.agents = agents;
  }

  @Override
  public Message<?> apply(Message<NetworkStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var network = step.network();
          for (String node : records.nodes()) {
            NodeNetworks.delete(
                agents.on(node, step.branch()),
                network.networkId(),
                network.bridge(),
                network.cidr());
          }
          return Replies.ok(Map.of("nodes", records.nodes()));
        });
  }
}
