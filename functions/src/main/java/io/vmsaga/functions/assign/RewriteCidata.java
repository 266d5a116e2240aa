package io.vmsaga.functions.assign;

import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.functions.assign.AssignPlan.AssignStep;
import io.vmsaga.functions.core.Addresses;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CidataRecords;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.NoCloudNetwork;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The VM's first-boot configuration made for its new NIC: the same meta-data and user-data, a
 * network-config with the new MAC, address and gateway, so the guest comes up on the new network at
 * its next start. A VM that boots no image has none.
 */
@Component("rewriteCidata")
public class RewriteCidata implements Function<Message<AssignStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final NetworkMapper networks;
  private final Addresses addresses;
  private final CidataRecords cidata;

  public RewriteCidata(
      Branches branches,
      Agents agents,
      NetworkMapper networks,
      Addresses addresses,
      CidataRecords cidata) {
    this.branches = branches;
    this.agents = agents;
    this.networks = networks;
    this.addresses = addresses;
    this.cidata = cidata;
  }

  @Override
  public Message<?> apply(Message<AssignStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var vm = step.vm();
          var old = vm.oldCidata();
          if (old == null) {
            return Replies.ok(Map.of("cidata", "none: the VM boots no image"));
          }
          var network = networks.find(vm.newNic().networkId());
          // the address createTargetNic holds (allocate answers the held one again)
          String address = addresses.allocate(network, vm.vmId()).orElse(null);
          var made =
              new CidataRecords.Cidata(
                  old.metaData(),
                  old.userData(),
                  NoCloudNetwork.of(vm.newNic().mac(), address, network.gateway()));
          cidata.put(vm.vmId(), made);
          return Replies.ok(
              agents
                  .on(vm.nodeId(), step.branch())
                  .putCidata(
                      vm.vmId(),
                      new CidataSpec(made.metaData(), made.userData(), made.networkConfig())));
        });
  }
}
