package io.vmsaga.functions.drain;

import io.vmsaga.functions.core.CapacityMapper.NodeCapacity;
import io.vmsaga.functions.core.Pause;
import io.vmsaga.functions.core.Placement;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.drain.DrainRecords.Item;
import io.vmsaga.functions.drain.DrainRecords.Resident;
import io.vmsaga.functions.dtm.SagaStatus;
import io.vmsaga.functions.migration.MigrationPlan;
import io.vmsaga.functions.migration.Moves;
import io.vmsaga.functions.saga.Branches;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * One step of a drain's progress, all of it in the database, like a batch's ({@code BatchDriver}):
 * in its own transaction with the drain row locked, settle the moves whose saga ended, then start
 * moves up to the drain's concurrency — live where every disk is shared and the VM runs, cold
 * otherwise — each to the active node with the most free memory. A move that fails, or a VM that
 * fits nowhere while no move is in flight, stops the drain from starting more; a node put back in
 * service (undrainNode) does too. The drain is done when nothing is left in flight.
 */
@Component
public class DrainDriver {
  private static final Logger log = LoggerFactory.getLogger(DrainDriver.class);

  /** Within a branch's request timeout; DTM calls again after its retry interval. */
  static final Duration DRIVE_FOR = Duration.ofSeconds(4);

  static final Duration LOOK_EVERY = Duration.ofMillis(200);

  private final DrainRecords drains;
  private final VmMapper vms;
  private final Placement placement;
  private final Moves moves;
  private final Sagas sagas;
  private final ObjectMapper json;
  private final TransactionTemplate own;

  public DrainDriver(
      DrainRecords drains,
      VmMapper vms,
      Placement placement,
      Moves moves,
      Sagas sagas,
      ObjectMapper json,
      PlatformTransactionManager transactions) {
    this.drains = drains;
    this.vms = vms;
    this.placement = placement;
    this.moves = moves;
    this.sagas = sagas;
    this.json = json;
    this.own = new TransactionTemplate(transactions);
    own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  /** Moves the drain on for at most {@link #DRIVE_FOR}; true once nothing is left to do. */
  public boolean drive(String gid) {
    long end = System.nanoTime() + DRIVE_FOR.toNanos();
    while (!Boolean.TRUE.equals(own.execute(tx -> tick(gid)))) {
      if (System.nanoTime() > end) {
        return false;
      }
      Pause.millis(LOOK_EVERY.toMillis());
    }
    return true;
  }

  private boolean tick(String gid) {
    var drain = drains.lock(gid);
    if (drain == null || !drain.running()) {
      return true;
    }
    String node = drain.nodeId();
    boolean stopping = !"draining".equals(drains.nodeStatus(node));
    if (!stopping) {
      drains.listResidents(gid, node);
    }
    List<Item> items = drains.items(gid);
    int moving = 0;
    int pending = 0;
    for (Item item : items) {
      if ("moving".equals(item.status()) && !settled(gid, item)) {
        moving++;
      }
      pending += "pending".equals(item.status()) ? 1 : 0;
      stopping |= "failed".equals(item.status());
    }
    for (Item item : items) {
      if (stopping || moving >= drain.concurrency()) {
        break;
      }
      if (!"pending".equals(item.status())) {
        continue;
      }
      Started started = start(drain, item.vmId(), moving);
      pending -= started == Started.LATER ? 0 : 1;
      switch (started) {
        case STARTED -> moving++;
        case FAILED -> stopping = true;
        case SETTLED, LATER -> {}
      }
    }
    return moving == 0 && (stopping || pending == 0);
  }

  /** Records the end of a move whose saga ended; false while it runs. */
  private boolean settled(String gid, Item item) {
    SagaStatus saga = sagas.find(item.gid()).orElse(null);
    if (saga == null || !saga.finished()) {
      return false;
    }
    var vm = vms.find(item.vmId());
    if (vm == null) {
      drains.settle(gid, item.vmId(), "moved", "left", "the VM was deleted meanwhile");
    } else if (saga.status().equals("succeed") || item.targetNodeId().equals(vm.nodeId())) {
      // a move that failed past its pivot was finished: the VM is on its target all the same
      drains.settle(gid, item.vmId(), "moved", null, null);
      log.info("drain {}: {} moved to {}", gid, item.vmId(), item.targetNodeId());
    } else {
      var reason =
          sagas.failure(
              item.gid(), new Replies.Error("move_failed", "the move failed; see its saga"));
      drains.settle(gid, item.vmId(), "failed", reason.code(), reason.message());
      log.warn("drain {}: {} did not move: {}", gid, item.vmId(), reason.message());
    }
    return true;
  }

  /** What became of a pending VM: its move started, it needs none, it cannot move, not yet. */
  enum Started {
    STARTED,
    SETTLED,
    FAILED,
    LATER
  }

  private Started start(DrainRecords.DrainRow drain, String vmId, int moving) {
    String gid = drain.gid();
    String node = drain.nodeId();
    Resident vm = drains.resident(vmId, node);
    if (vm == null) {
      // deleted, or moved by someone else meanwhile: nothing left to move
      drains.settle(gid, vmId, "moved", "left", "the VM left the node by other means");
      return Started.SETTLED;
    }
    String kind =
        vm.localDisks() == 0 && "running".equals(vm.state())
            ? MigrationPlan.LIVE
            : MigrationPlan.COLD;
    if (!List.of("running", "stopped").contains(vm.state())) {
      if (List.of("creating", "migrating", "deleting").contains(vm.state())) {
        return Started.LATER; // another saga has it; it is moved once that saga ends
      }
      return fail(gid, vmId, "not_movable", "a VM that is " + vm.state() + " cannot move");
    }
    NodeCapacity target =
        placement
            .moveTarget(node, drain.targets(), vm.vcpus(), vm.memoryMib(), inFlight(gid))
            .orElse(null);
    if (target == null) {
      return moving > 0
          ? Started.LATER // the moves in flight may free room or settle the count
          : fail(
              gid,
              vmId,
              "no_capacity",
              "no active node has room for this VM ("
                  + vm.vcpus()
                  + " vCPUs, "
                  + vm.memoryMib()
                  + " MiB)"
                  + (drain.targets().isEmpty() ? "" : " among " + drain.targets()));
    }
    Message<?> reply = moves.start(vms.find(vmId), target.id(), kind);
    var body = json.valueToTree(reply.getPayload());
    int status = Branches.status(reply);
    if (status == 200 || status == 202) {
      drains.moving(gid, vmId, kind, target.id(), body.path("gid").asString());
      log.info("drain {}: {} moving {} to {}", gid, vmId, kind, target.id());
      return Started.STARTED;
    }
    String code = body.path("code").asString("refused");
    if ("busy".equals(code)) {
      return Started.LATER;
    }
    return fail(gid, vmId, code, body.path("message").asString(""));
  }

  /**
   * What this drain's moves in flight bring to each target (their reservation may not be held yet).
   */
  private Map<String, Placement.Incoming> inFlight(String gid) {
    Map<String, Placement.Incoming> incoming = new HashMap<>();
    for (var moving : drains.inFlight(gid)) {
      incoming.put(
          moving.targetNodeId(), new Placement.Incoming(moving.vcpus(), moving.memoryMib()));
    }
    return incoming;
  }

  private Started fail(String gid, String vmId, String code, String message) {
    drains.settle(gid, vmId, "failed", code, message);
    log.warn("drain {}: {} cannot move: {}", gid, vmId, message);
    return Started.FAILED;
  }
}
