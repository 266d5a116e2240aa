package io.vmsaga.functions.drain;

import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /drainNode {nodeId, concurrency?, awaitResult?}} (administrators): empties a node
 * before maintenance or removal ({@link DrainPlan}). Answers the drain's report: 200 drained, 202
 * under way, 409 {@code drain_stopped} when a VM could not move. A node drained already answers its
 * last drain; one whose drain runs, or that is down (evacuateNode is for those), is refused.
 */
@Component("drainNode")
public class DrainNode implements Function<Message<DrainNode.Request>, Message<?>> {
  private static final Logger log = LoggerFactory.getLogger(DrainNode.class);

  /** Moves at once: each is a migration that loads both nodes. */
  static final int DEFAULT_CONCURRENCY = 2;

  static final int MAX_CONCURRENCY = 8;

  /** {@code targetNodeIds}: where the VMs may go (a replacement node); absent: any active node. */
  public record Request(
      String nodeId, Integer concurrency, List<String> targetNodeIds, boolean awaitResult) {}

  private final Tenants tenants;
  private final CapacityMapper capacity;
  private final DrainRecords drains;
  private final DrainReport reports;
  private final Sagas sagas;

  public DrainNode(
      Tenants tenants,
      CapacityMapper capacity,
      DrainRecords drains,
      DrainReport reports,
      Sagas sagas) {
    this.tenants = tenants;
    this.capacity = capacity;
    this.drains = drains;
    this.reports = reports;
    this.sagas = sagas;
  }

  @Override
  public Message<?> apply(Message<Request> message) {
    return tenants.serveAdmin(
        message,
        Request.class,
        r -> {
          var check = new Check().matches(r.nodeId(), Check.ID, "nodeId", true);
          if (r.concurrency() != null) {
            check.range(r.concurrency(), 1, MAX_CONCURRENCY, "concurrency");
          }
          if (r.targetNodeIds() != null) {
            check.require(
                !r.targetNodeIds().isEmpty() && r.targetNodeIds().size() <= 16,
                "targetNodeIds: 1 to 16 node ids");
            r.targetNodeIds().forEach(id -> check.matches(id, Check.ID, "targetNodeIds[]", true));
          }
          return check.failed() ? check.reply() : drain(r);
        });
  }

  private Message<?> drain(Request r) {
    var node = capacity.node(r.nodeId());
    if (node == null) {
      return Replies.notFound("node");
    }
    var last = drains.latest(node.id());
    if ("drained".equals(node.status()) && last != null) {
      return reports.reply(last.gid());
    }
    if (last != null && last.running()) {
      return Replies.conflict(
          "drain_running", "node " + node.id() + " is being drained by saga " + last.gid());
    }
    if ("down".equals(node.health())) {
      return Replies.conflict(
          "node_down", "node " + node.id() + " is down: its VMs cannot move; use evacuateNode");
    }
    if (!"active".equals(node.status()) && !"draining".equals(node.status())) {
      return Replies.conflict("not_drainable", "node " + node.id() + " is " + node.status());
    }
    if (r.targetNodeIds() != null) {
      for (String target : r.targetNodeIds()) {
        var to = capacity.node(target);
        if (to == null || target.equals(node.id()) || !"active".equals(to.status())) {
          return Replies.conflict(
              "node_unavailable",
              "node " + target + " cannot take the VMs: not another active node");
        }
      }
    }
    String gid = sagas.newGid();
    int concurrency = r.concurrency() == null ? DEFAULT_CONCURRENCY : r.concurrency();
    drains.insert(
        gid,
        node.id(),
        concurrency,
        r.targetNodeIds() == null ? null : String.join(",", r.targetNodeIds()));
    try {
      sagas.submit(DrainPlan.of(gid, node.id()));
    } catch (RuntimeException e) {
      drains.end(gid, "failed");
      log.warn("drain of {}: submit failed, nothing changed", node.id(), e);
      return Replies.unavailable("DTM did not take the saga; nothing was changed");
    }
    log.info("drain of {} submitted as saga {} ({} moves at once)", node.id(), gid, concurrency);
    sagas.status(gid, r.awaitResult());
    return reports.reply(gid);
  }
}
