package io.vmsaga.functions.assign;

import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.Addresses;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/** The new NIC's address on the new tenant's network, and its tap on that network's bridge. */
@Component("createTargetNic")
public class CreateTargetNic implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final Addresses addresses;
  private final NetworkMapper networks;

  public CreateTargetNic(
      Branches branches, Agents agents, Addresses addresses, NetworkMapper networks) {
    this.branches = branches;
    this.agents = agents;
    this.addresses = addresses;
    this.networks = networks;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var vm = step.vm();
          var nic = vm.newNic();
          var network = networks.findLocked(nic.networkId());
          if (network == null || !network.active()) {
            return Replies.failure("network_not_ready", "the new network is not active");
          }
          String address;
          try {
            address = addresses.allocate(network, vm.vmId()).orElse(null);
          } catch (Addresses.NoAddress e) {
            return Replies.failure("no_address", e.getMessage());
          }
          agents.on(vm.nodeId(), step.branch()).putTap(nic.tap(), new TapSpec(nic.bridge()));
          return Replies.ok(Map.of("tap", nic.tap(), "address", String.valueOf(address)));
        });
  }
}
