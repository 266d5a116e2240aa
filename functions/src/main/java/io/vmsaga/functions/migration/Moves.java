package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.MigrationView;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.dtm.Saga;
import io.vmsaga.functions.web.Replies;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * What migrateVm and coldMigrateVm share: the checks that refuse a move up front, its plan, taking
 * the VM for the saga (one saga owns a VM at a time), the submit, and the answer.
 */
@Component
public class Moves {
  /**
   * Where a target QEMU listens for the stream: outside Linux's ephemeral port range (32768–60999).
   */
  static final int FIRST_PORT = 61000;

  static final int PORTS = 4000;
  private static final Logger log = LoggerFactory.getLogger(Moves.class);

  /** A checked request to move one VM. */
  public record Order(
      String targetNodeId,
      String kind,
      MigrationParameters parameters,
      boolean awaitResult,
      Duration timeoutToFail) {}

  public interface SagaOf {
    Saga of(String gid, MigrationPlan move, Duration timeoutToFail);
  }

  public record Response(
      String vmId,
      String gid,
      String status,
      String nodeId,
      MigrationView migration,
      String dtmUrl) {}

  public record Failure(String code, String message, String reason, Response vm) {}

  private final VmMapper vms;
  private final CapacityMapper capacity;
  private final NetworkMapper networks;
  private final Agents.NodeUrls nodes;
  private final MigrationMapper rows;
  private final Sagas sagas;

  public Moves(
      VmMapper vms,
      CapacityMapper capacity,
      NetworkMapper networks,
      Agents.NodeUrls nodes,
      MigrationMapper rows,
      Sagas sagas) {
    this.vms = vms;
    this.capacity = capacity;
    this.networks = networks;
    this.nodes = nodes;
    this.rows = rows;
    this.sagas = sagas;
  }

  /**
   * Starts the move of {@code vm}, which the caller may act on ({@link
   * io.vmsaga.functions.vm.VmLookup}).
   */
  public Message<?> start(VmMapper.VmRow vm, Order order, SagaOf sagaOf) {
    var target = capacity.node(order.targetNodeId());
    if (target == null) {
      return Replies.notFound("node");
    }
    if (target.id().equals(vm.nodeId())) {
      return Replies.conflict("same_node", "the VM is on node " + vm.nodeId() + " already");
    }
    if (!"active".equals(target.status())) {
      return Replies.conflict(
          "node_unavailable", "node " + target.id() + " takes no VMs (" + target.status() + ")");
    }
    if (vm.ownerGid() != null && sagas.live(vm.ownerGid())) {
      return Replies.conflict("busy", "VM is owned by saga " + vm.ownerGid());
    }
    var disks = vms.disksOf(vm.id());
    boolean live = MigrationPlan.LIVE.equals(order.kind());
    boolean evacuate = MigrationPlan.EVACUATE.equals(order.kind());
    if ((live || evacuate) && disks.stream().anyMatch(d -> "local".equals(d.pool()))) {
      return Replies.conflict(
          "local_disk",
          evacuate
              ? "the VM has a local disk, lost with its node"
              : "the VM has a local disk and live migration needs shared storage: use coldMigrateVm");
    }
    if (live
        ? !"running".equals(vm.state())
        : !List.of("running", "stopped").contains(vm.state())
            && !(evacuate && "paused".equals(vm.state()))) {
      return Replies.conflict(
          "not_movable",
          "a VM that is "
              + vm.state()
              + " cannot migrate "
              + (live ? "live (only a running one can; use coldMigrateVm)" : "cold"));
    }
    if (!target.fits(vm.vcpus(), vm.memoryMib())) {
      return Replies.conflict("no_capacity", "node " + target.id() + " has no room for this VM");
    }
    String gid = sagas.newGid();
    MigrationPlan move = plan(vm, disks, order, gid);
    if (vms.claim(vm.id(), vm.tenantId(), gid, "migrating", vm.ownerGid()) == 0) {
      return Replies.conflict("busy", "VM was just taken by another saga");
    }
    rows.insert(gid, move);
    try {
      sagas.submit(sagaOf.of(gid, move, order.timeoutToFail()));
    } catch (RuntimeException e) {
      rows.delete(gid);
      vms.settle(vm.id(), gid, vm.state(), "failed");
      log.warn("{} migration of {}: submit failed, VM left as it was", order.kind(), vm.id(), e);
      return Replies.unavailable("DTM did not take the saga; nothing was changed");
    }
    log.info(
        "{} migration of {} from {} to {} submitted as saga {}",
        order.kind(),
        vm.id(),
        vm.nodeId(),
        target.id(),
        gid);
    return answer(vm.id(), gid, order.awaitResult());
  }

  /**
   * A move another capability orders (a drain, an evacuation): the saga of its kind with that
   * kind's defaults, not awaited.
   */
  public Message<?> start(VmMapper.VmRow vm, String targetNodeId, String kind) {
    return switch (kind) {
      case MigrationPlan.LIVE ->
          start(
              vm,
              new Order(
                  targetNodeId,
                  kind,
                  new MigrationParameters(null, null, null, null),
                  false,
                  MigrateVm.TIMEOUT_TO_FAIL),
              MigrateVmSaga::of);
      case MigrationPlan.EVACUATE ->
          start(
              vm,
              new Order(targetNodeId, kind, null, false, EvacuateVmSaga.TIMEOUT_TO_FAIL),
              EvacuateVmSaga::of);
      default ->
          start(
              vm,
              new Order(targetNodeId, kind, null, false, ColdMigrateVm.TIMEOUT_TO_FAIL),
              ColdMigrateVmSaga::of);
    };
  }

  /**
   * The saga's state, after waiting for its end if asked to: 200 moved, 409 rolled back, 202 under
   * way.
   */
  public Message<?> answer(String vmId, String gid, boolean awaitResult) {
    String status = sagas.status(gid, awaitResult);
    var vm = vms.find(vmId);
    var migration = MigrationView.of(rows.find(gid));
    var response =
        new Response(
            vmId, gid, status, vm == null ? null : vm.nodeId(), migration, sagas.adminUrl(gid));
    return Sagas.reply(
        status,
        response,
        () ->
            Replies.status(
                409,
                new Failure(
                    "migration_failed",
                    migration != null && migration.pivoted()
                        ? "the saga failed past its pivot: the move was finished, the VM runs on its target"
                        : "the migration was rolled back: the VM stays on its source as it was",
                    migration == null ? null : migration.cancelReason(),
                    response)));
  }

  private MigrationPlan plan(
      VmMapper.VmRow vm, List<VmMapper.DiskRow> disks, Order order, String gid) {
    boolean live = MigrationPlan.LIVE.equals(order.kind());
    String target = order.targetNodeId();
    var nics =
        vms.nicsOf(vm.id()).stream()
            .map(
                n ->
                    new MigrationPlan.Nic(
                        n.id(),
                        networks.find(n.networkId()).bridge(),
                        n.tap(),
                        MigrationPlan.tapOn(vm.id(), target)))
            .toList();
    return new MigrationPlan(
        vm.id(),
        vm.tenantId(),
        order.kind(),
        vm.nodeId(),
        target,
        URI.create(nodes.agentUrl(target)).getHost(),
        live ? FIRST_PORT + Math.floorMod(gid.hashCode(), PORTS) : null,
        vm.vcpus(),
        vm.memoryMib(),
        live || "running".equals(vm.state()) || "paused".equals(vm.state()),
        disks.stream().map(d -> new MigrationPlan.Disk(d.id(), d.pool())).toList(),
        nics,
        order.parameters());
  }
}
