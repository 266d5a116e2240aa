package io.vmsaga.functions.networks;

import io.vmsaga.functions.networks.NetworkPlan.NetworkStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The network's row, {@code creating} and owned by this saga; an id or name taken is a failure. */
@Component("recordNetwork")
public class RecordNetwork implements Function<Message<NetworkStep>, Message<?>> {
  private final Branches branches;
  private final NetworkRecords records;

  public RecordNetwork(Branches branches, NetworkRecords records) {
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
          if (records.insertCreating(network, step.branch().gid()) == 0) {
            return Replies.failure("network_exists", "a network with this id or name exists");
          }
          return Replies.ok(Map.of("networkId", network.networkId(), "state", "creating"));
        });
  }
}
