package io.vmsaga.functions.assign;

import io.vmsaga.agent.api.VmNicInfo;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.CidataRecords;
import io.vmsaga.functions.core.ForVm;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmMapper.VmRow;
import io.vmsaga.functions.core.VmSagas;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /assignVm} {@code {vmId, toTenantId, networkId, awaitResult?}} (administrators): the
 * VM becomes another tenant's, on a network of that tenant, through the assignVm saga. As in
 * CloudStack, the VM must be stopped ({@code stopVm}): its NICs change in its definition and it
 * boots with the new one.
 */
@Component("assignVm")
public class AssignVm implements Function<Message<AssignVm.Request>, Message<?>> {
  static final Duration TIMEOUT_TO_FAIL = Duration.ofSeconds(60);

  public record Request(String vmId, String toTenantId, String networkId, boolean awaitResult)
      implements ForVm {}

  public record Response(
      String vmId, String tenantId, String nicId, String gid, String status, String dtmUrl) {}

  private final VmLookup lookup;
  private final VmMapper vms;
  private final NetworkMapper networks;
  private final CapacityMapper capacity;
  private final Tenants tenants;
  private final Agents agents;
  private final Sagas sagas;
  private final VmSagas vmSagas;
  private final CidataRecords cidata;

  public AssignVm(
      VmLookup lookup,
      VmMapper vms,
      NetworkMapper networks,
      CapacityMapper capacity,
      Tenants tenants,
      Agents agents,
      Sagas sagas,
      VmSagas vmSagas,
      CidataRecords cidata) {
    this.lookup = lookup;
    this.vms = vms;
    this.networks = networks;
    this.capacity = capacity;
    this.tenants = tenants;
    this.agents = agents;
    this.sagas = sagas;
    this.vmSagas = vmSagas;
    this.cidata = cidata;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return lookup.on(
        message,
        Request.class,
        (request, caller, vm) -> caller.isAdmin() ? assign(request, vm) : Replies.forbidden());
  }

  private Message<?> assign(Request r, VmRow vm) {
    Check check =
        new Check()
            .matches(r.toTenantId(), Check.ID, "toTenantId", true)
            .matches(r.networkId(), Check.ID, "networkId", true);
    if (check.failed()) {
      return check.reply();
    }
    if (tenants.byId(r.toTenantId()).isEmpty()) {
      return Replies.notFound("tenant");
    }
    if (r.toTenantId().equals(vm.tenantId())) {
      return Replies.conflict("same_tenant", "the VM is this tenant's already");
    }
    var network = networks.find(r.networkId());
    if (network == null || !network.usableBy(r.toTenantId())) {
      return Replies.notFound("network");
    }
    if (!network.active()) {
      return Replies.conflict("network_not_ready", "the network is " + network.state());
    }
    if (!"stopped".equals(vm.state())) {
      return Replies.conflict(
          "not_stopped", "a VM is assigned stopped (stopVm); this one is " + vm.state());
    }
    Message<?> busy = vmSagas.busy(vm);
    if (busy != null) {
      return busy;
    }
    var nics = vms.nicsOf(vm.id());
    if (nics.size() != 1) {
      return Replies.conflict("nics", "only a VM with one NIC is assigned");
    }
    var old = nics.get(0);
    if (old.networkId().equals(network.id())) {
      return Replies.conflict("same_network", "the VM is on this network already");
    }
    VmNicInfo onNode;
    try {
      onNode =
          agents.on(vm.nodeId()).vmNics(vm.id()).stream()
              .filter(n -> n.tap().equals(old.tap()))
              .findFirst()
              .orElse(null);
    } catch (AgentException e) {
      return e.isRetryable()
          ? Replies.unavailable("the VM's node does not answer; try again")
          : Replies.conflict("node_refused", "the VM's node refused: " + e.code());
    }
    if (onNode == null) {
      return Replies.conflict("nics", "the VM's node does not hold its NIC as recorded");
    }
    String gid = sagas.newGid();
    int diskGib =
        capacity.reservationsOf(vm.id()).stream()
            .filter(res -> res.state().equals("committed"))
            .mapToInt(CapacityMapper.Reservation::diskGib)
            .sum();
    var plan =
        new AssignPlan(
            vm.id(),
            vm.tenantId(),
            r.toTenantId(),
            vm.nodeId(),
            vm.vcpus(),
            vm.memoryMib(),
            diskGib,
            new AssignPlan.Nic(
                old.id(),
                old.networkId(),
                networks.find(old.networkId()).bridge(),
                old.tap(),
                old.mac()),
            onNode.nicId(),
            onNode.slot(),
            AssignPlan.newNicFor(vm.id(), gid, network.id(), network.bridge()),
            cidata.of(vm.id()),
            vm.state());
    return vmSagas.run(
        vm,
        AssignVmSaga.of(gid, plan, TIMEOUT_TO_FAIL),
        r.awaitResult(),
        (id, status, url) ->
            new Response(vm.id(), r.toTenantId(), plan.newNic().nicId(), id, status, url),
        "vm",
        new Replies.Error("assign_failed", "rolled back: the VM is its old tenant's as it was"));
  }
}
