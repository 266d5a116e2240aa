package io.vmsaga.functions.create;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.Placement;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Sha256;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /createVm}: plans the VM (node, disk, tap, MAC), submits the createVm saga and
 * answers with its gid. The same idempotency key always names the same saga and VM, so a retried
 * request creates nothing twice.
 */
@Component("createVm")
public class CreateVm implements Function<Message<CreateVm.Request>, Message<?>> {
  static final Duration TIMEOUT_TO_FAIL = Duration.ofSeconds(60);
  private static final Logger log = LoggerFactory.getLogger(CreateVm.class);

  public record Request(
      String tenantId,
      String name,
      Integer vcpus,
      Integer maxVcpus,
      Integer memoryMib,
      Integer maxMemoryMib,
      Integer diskGib,
      String networkId,
      String nodeId,
      boolean sharedStorage,
      String idempotencyKey,
      boolean awaitResult,
      String imageId,
      String hostname,
      List<String> sshAuthorizedKeys,
      String userData,
      List<DataDisk> dataDisks) {
    /** The same create under this key, answering at once: how a batch names its items' sagas. */
    public Request submittedAs(String key) {
      return new Request(
          tenantId,
          name,
          vcpus,
          maxVcpus,
          memoryMib,
          maxMemoryMib,
          diskGib,
          networkId,
          nodeId,
          sharedStorage,
          key,
          false,
          imageId,
          hostname,
          sshAuthorizedKeys,
          userData,
          dataDisks);
    }
  }

  /** A blank data disk made with the VM, in its pool ({@code shared}, else the root disk's). */
  public record DataDisk(Integer sizeGib, Boolean shared) {}

  /** Data disks a VM may be made with (its PCI layout has room for 15). */
  static final int MAX_DATA_DISKS = 8;

  /** NoCloud user-data larger than this is refused (the ISO travels with every migration). */
  static final int USER_DATA_MAX_BYTES = 16 * 1024;

  static final Pattern HOSTNAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  static final Pattern SSH_KEY = Pattern.compile("(ssh|ecdsa|sk)-[^\\r\\n]{16,2048}");

  public record Response(String vmId, String gid, String status, String nodeId, String dtmUrl) {}

  private final Tenants tenants;
  private final CapacityMapper capacity;
  private final NetworkMapper networks;
  private final VmMapper vms;
  private final ImageMapper images;
  private final Sagas sagas;
  private final Placement placement;

  public CreateVm(
      Tenants tenants,
      CapacityMapper capacity,
      NetworkMapper networks,
      VmMapper vms,
      ImageMapper images,
      Sagas sagas,
      Placement placement) {
    this.tenants = tenants;
    this.capacity = capacity;
    this.networks = networks;
    this.vms = vms;
    this.images = images;
    this.sagas = sagas;
    this.placement = placement;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serve(message, Request.class, this::create);
  }

  private Message<?> create(Tenants.Tenant caller, Request request) {
    return switch (submit(caller, request)) {
      case Submitted s -> answer(request, s.vmId(), s.gid());
      case Refused r -> r.reply();
    };
  }

  /** What {@link #submit} did: the saga that creates the VM, or the 4xx that refused it. */
  public sealed interface Outcome permits Submitted, Refused {}

  public record Submitted(String vmId, String gid) implements Outcome {}

  public record Refused(Message<?> reply) implements Outcome {}

  /**
   * Checks, plans and submits one create for {@code caller}, as the trigger and a batch do. Under
   * an idempotency key whose saga DTM knows, the saga there is.
   */
  public Outcome submit(Tenants.Tenant caller, Request request) {
    String tenantId = request.tenantId() == null ? caller.id() : request.tenantId();
    if (!tenantId.equals(caller.id()) && !caller.isAdmin()) {
      return new Refused(Replies.forbidden());
    }
    Message<?> invalid = invalid(request);
    if (invalid != null) {
      return new Refused(invalid);
    }
    String gid =
        request.idempotencyKey() == null
            ? sagas.newGid()
            : "create-" + Sha256.hex(tenantId + "\n" + request.idempotencyKey()).substring(0, 32);
    String vmId = VmPlan.vmIdFor(gid);
    if (request.idempotencyKey() != null && sagas.find(gid).isPresent()) {
      return new Submitted(vmId, gid);
    }
    Message<?> refused = plan(request, tenantId, gid, vmId);
    return refused == null ? new Submitted(vmId, gid) : new Refused(refused);
  }

  /** Plans the VM and submits its saga: null when submitted, else the refusal. */
  private Message<?> plan(Request request, String tenantId, String gid, String vmId) {

    var network = networks.find(request.networkId());
    if (network == null || !network.usableBy(tenantId)) {
      return Replies.notFound("network");
    }
    if (!network.active()) {
      return Replies.conflict("network_not_ready", "the network is " + network.state());
    }
    int maxVcpus = request.maxVcpus() == null ? request.vcpus() : request.maxVcpus();
    int maxMemoryMib =
        request.maxMemoryMib() == null ? request.memoryMib() : request.maxMemoryMib();
    if (request.nodeId() != null
        && capacity.nodes().stream().noneMatch(n -> n.id().equals(request.nodeId()))) {
      return Replies.notFound("node");
    }
    VmPlan.Guest guest = null;
    if (request.imageId() != null) {
      var image = images.find(request.imageId());
      if (image == null) {
        return Replies.notFound("image");
      }
      if (!image.active()) {
        return Replies.conflict("image_not_ready", "the image is " + image.state());
      }
      if (request.diskGib() * 1024L < image.virtualSizeMib()) {
        return Replies.status(
            400,
            new Replies.Error(
                "disk_too_small",
                "diskGib must hold the image's " + image.virtualSizeMib() + " MiB"));
      }
      guest =
          new VmPlan.Guest(
              image.id(),
              request.hostname() == null ? hostnameOf(request.name()) : request.hostname(),
              request.sshAuthorizedKeys(),
              request.userData());
    }
    var claim =
        new Placement.Claim(
            gid, vmId, tenantId, request.nodeId(), request.vcpus(), request.memoryMib());
    String nodeId = placement.place(claim).orElse(null);
    if (nodeId == null) {
      return Replies.conflict(
          "no_capacity",
          request.nodeId() == null
              ? "no node has room for this VM"
              : "node " + request.nodeId() + " has no room for this VM");
    }
    VmPlan vm =
        new VmPlan(
            vmId,
            tenantId,
            request.name(),
            nodeId,
            request.vcpus(),
            maxVcpus,
            request.memoryMib(),
            maxMemoryMib,
            maxMemoryMib > request.memoryMib() ? 4 : 0,
            VmPlan.diskFor(vmId, request.sharedStorage(), request.diskGib()),
            VmPlan.nicFor(vmId, network.id(), network.bridge()),
            guest,
            dataDisksOf(request, vmId));
    try {
      sagas.submit(CreateVmSaga.of(gid, vm, TIMEOUT_TO_FAIL));
    } catch (RuntimeException e) {
      if (sagas.find(gid).isEmpty()) {
        placement.release(claim);
      }
      log.warn("createVm {}: submit failed", vmId, e);
      return Replies.unavailable("DTM did not take the saga; nothing was made");
    }
    log.info("createVm {} submitted as saga {} on {}", vmId, gid, nodeId);
    return null;
  }

  private Message<?> answer(Request request, String vmId, String gid) {
    String status = sagas.status(gid, request.awaitResult());
    var row = vms.find(vmId);
    var response =
        new Response(vmId, gid, status, row == null ? null : row.nodeId(), sagas.adminUrl(gid));
    return Sagas.reply(
        status,
        response,
        () ->
            Replies.status(
                409,
                Map.of(
                    "code",
                    "create_failed",
                    "vm",
                    response,
                    "reason",
                    sagas.failure(gid, new Replies.Error("create_failed", "see dtmUrl")),
                    "message",
                    "the create saga failed and was compensated; see dtmUrl")));
  }

  private static List<VmPlan.Disk> dataDisksOf(Request request, String vmId) {
    var disks = request.dataDisks() == null ? List.<DataDisk>of() : request.dataDisks();
    var planned = new java.util.ArrayList<VmPlan.Disk>();
    for (int i = 0; i < disks.size(); i++) {
      var d = disks.get(i);
      boolean shared = d.shared() == null ? request.sharedStorage() : d.shared();
      planned.add(VmPlan.dataDiskFor(vmId, "create:" + i, shared, d.sizeGib()));
    }
    return planned;
  }

  /** A hostname from the VM's name: lower case, other characters as dashes, at most 63. */
  static String hostnameOf(String name) {
    String host = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    host = host.substring(0, Math.min(63, host.length())).replaceAll("^-+|-+$", "");
    return host.isEmpty() ? "vm" : host;
  }

  /** The 400 for a request that fails a check of its own (nothing looked up), else null. */
  public Message<?> invalid(Request r) {
    Check check = validate(r);
    if (check.failed()) {
      return check.reply();
    }
    if (r.userData() != null
        && r.userData().getBytes(StandardCharsets.UTF_8).length > USER_DATA_MAX_BYTES) {
      return Replies.status(
          400,
          new Replies.Error(
              "user_data_too_large", "userData is limited to " + USER_DATA_MAX_BYTES + " bytes"));
    }
    return null;
  }

  private Check validate(Request r) {
    var check =
        new Check()
            .matches(r.name(), Check.NAME, "name", true)
            .range(r.vcpus(), 1, 64, "vcpus")
            .range(r.memoryMib(), 64, 1024 * 1024, "memoryMib")
            .range(r.diskGib(), 1, 16 * 1024, "diskGib")
            .matches(r.networkId(), Check.ID, "networkId", true)
            .matches(r.nodeId(), Check.ID, "nodeId", false)
            .matches(r.tenantId(), Check.ID, "tenantId", false)
            .matches(r.idempotencyKey(), Check.KEY, "idempotencyKey", false);
    if (r.maxVcpus() != null) {
      check.range(r.maxVcpus(), r.vcpus() == null ? 1 : r.vcpus(), 64, "maxVcpus");
    }
    check
        .matches(r.imageId(), Check.ID, "imageId", false)
        .matches(r.hostname(), HOSTNAME, "hostname", false)
        .require(
            r.imageId() != null
                || (r.hostname() == null && r.userData() == null && r.sshAuthorizedKeys() == null),
            "hostname, sshAuthorizedKeys and userData configure a guest: they need an imageId")
        .require(
            r.sshAuthorizedKeys() == null || r.userData() == null,
            "give sshAuthorizedKeys or userData (with the keys in its #cloud-config), not both")
        .require(
            r.sshAuthorizedKeys() == null
                || (r.sshAuthorizedKeys().size() <= 16
                    && r.sshAuthorizedKeys().stream()
                        .allMatch(k -> k != null && SSH_KEY.matcher(k).matches())),
            "sshAuthorizedKeys: at most 16 public keys of one line each");
    check.require(
        r.dataDisks() == null
            || (r.dataDisks().size() <= MAX_DATA_DISKS
                && r.dataDisks().stream()
                    .allMatch(
                        d ->
                            d != null
                                && d.sizeGib() != null
                                && d.sizeGib() >= 1
                                && d.sizeGib() <= 16 * 1024)),
        "dataDisks: at most " + MAX_DATA_DISKS + ", each with sizeGib 1..16384");
    if (r.maxMemoryMib() != null) {
      check.range(
          r.maxMemoryMib(),
          r.memoryMib() == null ? 64 : r.memoryMib(),
          1024 * 1024,
          "maxMemoryMib");
    }
    return check;
  }
}
