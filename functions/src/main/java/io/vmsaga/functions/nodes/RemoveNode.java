package io.vmsaga.functions.nodes;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CapacityMapper;
import io.vmsaga.functions.core.ImageMapper;
import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.NodeNetworks;
import io.vmsaga.functions.core.Tenants;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * {@code POST /removeNode {nodeId}} (administrators): takes an empty node out of the fleet. Only a
 * drained node (or a down one that evacuateNode emptied) with no VM, disk or reservation on it;
 * else 409 with what is in the way. Its agent is told to forget what the fleet put there (the
 * networks' bridges and namespaces, the cached images), then its records go. A node whose agent is
 * gone is removed all the same and the answer says the agent was not reached.
 */
@Component("removeNode")
public class RemoveNode implements Function<Message<RemoveNode.Request>, Message<?>> {
  private static final Logger log = LoggerFactory.getLogger(RemoveNode.class);

  public record Request(String nodeId) {}

  /**
   * {@code forgotten}: what the agent deleted; {@code agentReached} false when it did not answer.
   */
  public record Removed(String nodeId, boolean agentReached, List<String> forgotten) {}

  private final Tenants tenants;
  private final CapacityMapper capacity;
  private final Rows rows;
  private final VmMapper vms;
  private final Agents agents;
  private final NetworkMapper networks;
  private final ImageMapper images;

  public RemoveNode(
      Tenants tenants,
      CapacityMapper capacity,
      Rows rows,
      VmMapper vms,
      Agents agents,
      NetworkMapper networks,
      ImageMapper images) {
    this.tenants = tenants;
    this.capacity = capacity;
    this.rows = rows;
    this.vms = vms;
    this.agents = agents;
    this.networks = networks;
    this.images = images;
  }

  @Override
  @Transactional
  public Message<?> apply(Message<Request> message) {
    return tenants.serveAdmin(
        message,
        Request.class,
        r -> {
          var check = new Check().matches(r.nodeId(), Check.ID, "nodeId", true);
          return check.failed() ? check.reply() : remove(r.nodeId());
        });
  }

  private Message<?> remove(String nodeId) {
    var node = capacity.lockNode(nodeId);
    if (node == null) {
      return Replies.notFound("node");
    }
    boolean emptiedDead = "down".equals(node.health()) && !"active".equals(node.status());
    if (!"drained".equals(node.status()) && !emptiedDead) {
      return Replies.conflict(
          "not_drained",
          "node " + nodeId + " is " + node.status() + ": drain it first (drainNode)");
    }
    int vms = this.vms.countOnNode(nodeId);
    int disks = rows.disksOn(nodeId);
    int holds = rows.reservationsOn(nodeId);
    if (vms + disks + holds > 0) {
      return Replies.conflict(
          "node_not_empty",
          "node "
              + nodeId
              + " still has "
              + vms
              + " VM(s), "
              + disks
              + " local disk(s) and "
              + holds
              + " reservation(s)");
    }
    List<String> forgotten = new ArrayList<>();
    boolean reached = forget(nodeId, forgotten);
    rows.deleteRepairs(nodeId);
    rows.deleteOrphans(nodeId);
    rows.deleteNode(nodeId);
    log.info(
        "node {} removed; its agent {} {}",
        nodeId,
        reached ? "forgot" : "was not reached",
        forgotten);
    return Replies.ok(new Removed(nodeId, reached, forgotten));
  }

  /**
   * Cached images and networks off the node; false when its agent could not be reached. Nodes
   * behind one host address share that host's kernel (the dev stack's agents do): its bridges and
   * namespaces stay while another node there uses them.
   */
  private boolean forget(String nodeId, List<String> forgotten) {
    String host = URI.create(agents.urlOf(nodeId)).getHost();
    boolean hostShared =
        rows.otherAgentUrls(nodeId).stream().anyMatch(u -> host.equals(URI.create(u).getHost()));
    try {
      var agent = agents.on(nodeId);
      for (var image : images.all()) {
        agent.deleteCachedImage(image.id());
      }
      forgotten.add("cached images");
      if (!hostShared) {
        for (var network : networks.all()) {
          NodeNetworks.delete(agent, network.id(), network.bridge(), network.cidr());
        }
        forgotten.add("networks");
      }
      return true;
    } catch (RuntimeException e) {
      log.warn("node {}: its agent did not forget its state: {}", nodeId, e.toString());
      return false;
    }
  }

  @Mapper
  public interface Rows {
    @Select("SELECT COUNT(*) FROM disk WHERE node_id = #{nodeId}")
    int disksOn(String nodeId);

    @Select("SELECT COUNT(*) FROM reservation WHERE node_id = #{nodeId}")
    int reservationsOn(String nodeId);

    @Select("SELECT agent_url FROM node WHERE id <> #{nodeId}")
    List<String> otherAgentUrls(String nodeId);

    @Delete("DELETE FROM network_repair WHERE node_id = #{nodeId}")
    void deleteRepairs(String nodeId);

    @Delete("DELETE FROM orphan WHERE node_id = #{nodeId}")
    void deleteOrphans(String nodeId);

    @Delete("DELETE FROM node WHERE id = #{nodeId}")
    void deleteNode(String nodeId);
  }
}
