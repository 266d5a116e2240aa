package io.vmsaga.functions.networks;

import io.vmsaga.functions.networks.NetworkPlan.NetworkStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The network takes VMs from now on. */
@Component("activateNetwork")
public class ActivateNetwork implements Function<Message<NetworkStep>, Message<?>> {
  private final Branches branches;
  private final NetworkRecords records;

  public ActivateNetwork(Branches branches, NetworkRecords records) {
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<NetworkStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var network = step.network();
          records.activate(network.networkId(), step.branch().gid());
          return Replies.ok(Map.of("networkId", network.networkId(), "state", "active"));
        });
  }
}
