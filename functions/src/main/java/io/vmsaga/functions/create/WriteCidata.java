package io.vmsaga.functions.create;

import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.functions.core.Addresses;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CidataRecords;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.VmStep;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.util.Map;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * Builds the VM's NoCloud {@code cidata} ISO on its node (hostname, the NIC's static address,
 * user-data) and keeps its content for migrations. Only a VM made from an image gets one.
 */
@Component("writeCidata")
public class WriteCidata implements Function<Message<VmStep>, Message<?>> {
  private final Branches branches;
  private final Agents agents;
  private final NetworkMapper networks;
  private final Addresses addresses;
  private final CidataRecords cidata;

  public WriteCidata(
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
  public Message<?> apply(Message<VmStep> call) {
    return branches.action(
        this,
        call,
        step -> {
          var vm = step.vm();
          // the saga has this step only for an image; one submitted before it could skip it may
          // still call it
          if (!vm.bootsImage()) {
            return Replies.ok(Map.of("cidata", "none: the VM boots no image"));
          }
          var network = networks.find(vm.nic().networkId());
          // the address createNic holds (allocate answers the held one again)
          String address =
              network == null ? null : addresses.allocate(network, vm.vmId()).orElse(null);
          var documents = NoCloud.of(vm, address, network == null ? null : network.gateway());
          cidata.put(vm.vmId(), documents);
          var iso =
              agents
                  .on(vm.nodeId(), step.branch())
                  .putCidata(
                      vm.vmId(),
                      new CidataSpec(
                          documents.metaData(), documents.userData(), documents.networkConfig()));
          return Replies.ok(iso);
        });
  }
}
