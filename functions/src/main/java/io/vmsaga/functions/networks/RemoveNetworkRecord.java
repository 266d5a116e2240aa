package io.vmsaga.functions.networks;

import io.vmsaga.functions.networks.NetworkPlan.NetworkStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** Removes the row this saga owns (made by createNetwork, or retired by deleteNetwork). */
@Component("removeNetworkRecord")
public class RemoveNetworkRecord implements Function<Message<NetworkStep>, Message<?>> {
  private final Branches branches;
  private final NetworkRecords records;

  public RemoveNetworkRecord(Branches branches, NetworkRecords records) {
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<NetworkStep> call) {
    return branches.compensate(
        this,
        call,
        step -> {
          var network = step.network();
          int removed = records.deleteOwned(network.networkId(), step.branch().gid());
          return Replies.ok(Map.of("removed", removed == 1));
        });
  }
}
