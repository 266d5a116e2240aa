package io.vmsaga.functions.networks;

import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.networks.CreateNetwork.Response;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /deleteNetwork} {@code {networkId, awaitResult?}} (administrators): 409 {@code
 * network_in_use} while a VM has a NIC on it, else submits the deleteNetwork saga. A network left
 * {@code deleting} by a saga that is over is taken over by the next call.
 */
@Component("deleteNetwork")
public class DeleteNetwork implements Function<Message<DeleteNetwork.Request>, Message<?>> {
  static final Duration TIMEOUT_TO_FAIL = Duration.ofSeconds(60);

  public record Request(String networkId, boolean awaitResult) {}

  private final Tenants tenants;
  private final NetworkMapper networks;
  private final NetworkRecords records;
  private final Sagas sagas;

  public DeleteNetwork(
      Tenants tenants, NetworkMapper networks, NetworkRecords records, Sagas sagas) {
    this.tenants = tenants;
    this.networks = networks;
    this.records = records;
    this.sagas = sagas;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> caller.isAdmin() ? delete(request) : Replies.forbidden());
  }

  private Message<?> delete(Request r) {
    Check check = new Check().matches(r.networkId(), Check.ID, "networkId", true);
    if (check.failed()) {
      return check.reply();
    }
    var network = networks.find(r.networkId());
    if (network == null) {
      return Replies.notFound("network");
    }
    String owner = records.owner(network.id());
    if (owner != null && sagas.live(owner)) {
      return network.state().equals("deleting")
          ? Networks.answer(
              sagas, new Response(network.id(), owner, null, null), r.awaitResult(), "delete")
          : Replies.conflict("network_busy", "the network is being made");
    }
    if (records.users(network.id()) > 0) {
      return Replies.conflict("network_in_use", "VMs have NICs on this network");
    }
    var plan =
        new NetworkPlan(
            network.id(),
            network.name(),
            network.bridge(),
            network.tenantId(),
            network.cidr(),
            network.gateway());
    String gid = sagas.newGid();
    sagas.submit(DeleteNetworkSaga.of(gid, plan, TIMEOUT_TO_FAIL));
    return Networks.answer(
        sagas, new Response(network.id(), gid, null, null), r.awaitResult(), "delete");
  }
}
