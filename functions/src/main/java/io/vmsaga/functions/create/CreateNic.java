package io.vmsaga.functions.create;

import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.functions.core.Addresses;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Creates the VM's tap on its network's bridge and holds the VM's address from the network's CIDR
 * (the cidata step hands it to the guest); the MAC is fixed in the plan and used by the VM config.
 */
@Component("createNic")
public class CreateNic implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final NetworkMapper networks;
  private final Addresses addresses;

  public CreateNic(Branches branches, Agents agents, NetworkMapper networks, Addresses addresses) {
    this.branches = branches;
    this.agents = agents;
    this.networks = networks;
    this.addresses = addresses;
  }

  @Override
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var nic = step.vm().nic();
          var network = networks.findLocked(nic.networkId());
          if (network == null) {
            return Replies.failure("not_found", "the VM's network is gone");
          }
          if (!network.active()) {
            return Replies.failure("network_not_ready", "the VM's network is " + network.state());
          }
          String address;
          try {
            address = addresses.allocate(network, step.vm().vmId()).orElse(null);
          } catch (Addresses.NoAddress e) {
            return Replies.failure("no_address", e.getMessage());
          }
          var tap =
              agents
                  .on(step.vm().nodeId(), step.branch())
                  .putTap(nic.tap(), new TapSpec(nic.bridge()));
          return Replies.ok(
              java.util.Map.of("tap", tap.name(), "address", String.valueOf(address)));
        });
  }
}
