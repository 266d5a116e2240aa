package io.vmsaga.functions.networks;

import io.vmsaga.functions.networks.NetworkPlan.NetworkStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * deleteNetwork's first step: the network stops taking VMs ({@code deleting}, owned by this saga),
 * unless a NIC or an address is on it. The row lock orders it against a NIC being made (CreateNic
 * holds it shared), so no VM joins a network on its way out.
 */
@Component("retireNetwork")
public class RetireNetwork implements Function<Message<NetworkStep>, Message<?>> {
  private final Branches branches;
  private final NetworkRecords records;

  public RetireNetwork(Branches branches, NetworkRecords records) {
    this.branches = branches;
    this.records = records;
  }

  @Override
  public Message<?> apply(Message<NetworkStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          String id = step.network().networkId();
          if (records.lock(id) == null) {
            return Replies.failure("not_found", "the network is gone");
          }
          if (records.users(id) > 0) {
            return Replies.failure("network_in_use", "VMs have NICs on this network");
          }
          if (records.retire(id, step.branch().gid()) == 0) {
            return Replies.failure("network_busy", "the network is being made");
          }
          return Replies.ok(Map.of("networkId", id, "state", "deleting"));
        });
  }
}
