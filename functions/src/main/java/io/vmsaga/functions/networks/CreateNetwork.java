package io.vmsaga.functions.networks;

import io.vmsaga.functions.core.Addresses.Ipv4;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Sha256;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /createNetwork} {@code {name, networkId?, cidr?, tenantId?, bridge?, awaitResult?}}
 * (administrators): submits the createNetwork saga. A network with a CIDR gives its VMs addresses
 * from it, the first host address being the gateway; without {@code tenantId} every tenant may use
 * it. The bridge's name derives from the id unless given. A CIDR overlapping another network's is
 * 409 {@code cidr_overlap}: addresses must say which network they are on.
 */
@Component("createNetwork")
public class CreateNetwork implements Function<Message<CreateNetwork.Request>, Message<?>> {
  static final Duration TIMEOUT_TO_FAIL = Duration.ofSeconds(60);
  private static final Logger log = LoggerFactory.getLogger(CreateNetwork.class);

  /** IPv4 CIDRs from /16 (65,534 guests) to /29 (6 guests, the gateway one of them). */
  static final Pattern CIDR =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])/(1[6-9]|2[0-9])");

  /** Linux interface names: at most 15 bytes. */
  static final Pattern BRIDGE = Pattern.compile("[a-z][a-z0-9-]{0,14}");

  public record Request(
      String name,
      String networkId,
      String cidr,
      String tenantId,
      String bridge,
      boolean awaitResult) {}

  public record Response(String networkId, String gid, String status, String dtmUrl) {}

  private final Tenants tenants;
  private final NetworkRecords records;
  private final Sagas sagas;

  public CreateNetwork(Tenants tenants, NetworkRecords records, Sagas sagas) {
    this.tenants = tenants;
    this.records = records;
    this.sagas = sagas;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(
        message,
        Request.class,
        (caller, request) -> caller.isAdmin() ? create(request) : Replies.forbidden());
  }

  private Message<?> create(Request r) {
    Check check =
        new Check()
            .matches(r.name(), Check.NAME, "name", true)
            .matches(r.networkId(), Check.ID, "networkId", false)
            .matches(r.cidr(), CIDR, "cidr", false)
            .matches(r.tenantId(), Check.ID, "tenantId", false)
            .matches(r.bridge(), BRIDGE, "bridge", false)
            .require(
                r.networkId() == null || r.networkId().length() <= 40,
                "networkId: at most 40 characters (it names a namespace on every node)");
    if (check.failed()) {
      return check.reply();
    }
    String id =
        r.networkId() == null ? "net-" + Sha256.hex(r.name()).substring(0, 12) : r.networkId();
    if (records.taken(id, r.name()) > 0) {
      return Replies.conflict("network_exists", "a network with this id or name exists");
    }
    if (r.tenantId() != null && records.tenantExists(r.tenantId()) == 0) {
      return Replies.notFound("tenant");
    }
    String cidr = r.cidr() == null ? null : canonical(r.cidr());
    if (cidr != null && records.cidrs().stream().anyMatch(other -> overlap(cidr, other))) {
      return Replies.conflict("cidr_overlap", "the cidr overlaps another network's");
    }
    String bridge = r.bridge() == null ? "vsb" + Sha256.hex(id).substring(0, 12) : r.bridge();
    String gateway = cidr == null ? null : Ipv4.hosts(cidr).findFirst().orElseThrow();
    var plan = new NetworkPlan(id, r.name(), bridge, r.tenantId(), cidr, gateway);
    String gid = sagas.newGid();
    sagas.submit(CreateNetworkSaga.of(gid, plan, TIMEOUT_TO_FAIL));
    log.info("createNetwork {} ({}) submitted as saga {}", id, cidr, gid);
    return Networks.answer(sagas, new Response(id, gid, null, null), r.awaitResult(), "create");
  }

  /** The CIDR with its host bits cleared: 10.1.2.3/24 is 10.1.2.0/24. */
  static String canonical(String cidr) {
    int prefix = Ipv4.prefix(cidr);
    long mask = (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    return Ipv4.format(Ipv4.parse(cidr.substring(0, cidr.indexOf('/'))) & mask) + "/" + prefix;
  }

  static boolean overlap(String a, String b) {
    int prefix = Math.min(Ipv4.prefix(a), Ipv4.prefix(b));
    long mask = (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    return (Ipv4.parse(a.substring(0, a.indexOf('/'))) & mask)
        == (Ipv4.parse(b.substring(0, b.indexOf('/'))) & mask);
  }
}
