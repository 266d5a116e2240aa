package io.vmsaga.functions.nodes;

import io.vmsaga.functions.core.Agents;
import java.util.ArrayList;
import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Polls every node's agent ({@code /v1/health}, through its circuit breaker: an open breaker is a
 * missed poll at once). An answer makes the node {@code up} and notes the contact; {@code
 * unreachableAfter} missed polls in a row make it {@code unreachable}, {@code downAfter} make it
 * {@code down}. Placement passes by a node that is down (not one briefly unreachable: a blip should
 * not move where VMs go). The web app polls on a timer ({@link NodeHealthSchedule}), Lambda through
 * the scheduled {@code pollNodes} function.
 */
@Component
public class NodeHealth {
  private static final Logger log = LoggerFactory.getLogger(NodeHealth.class);

  public record Change(String nodeId, String from, String to, int missedPolls) {}

  /** Published when a node goes down (automatic evacuation listens). */
  public record NodeDown(String nodeId) {}

  private final Rows rows;
  private final Agents agents;
  private final int unreachableAfter;
  private final int downAfter;
  private final ApplicationEventPublisher events;

  public NodeHealth(
      Rows rows,
      Agents agents,
      ApplicationEventPublisher events,
      @Value("${vmsaga.nodes.unreachable-after}") int unreachableAfter,
      @Value("${vmsaga.nodes.down-after}") int downAfter) {
    this.rows = rows;
    this.agents = agents;
    this.unreachableAfter = unreachableAfter;
    this.downAfter = downAfter;
    this.events = events;
  }

  /** One poll of every node; answers the nodes whose health changed. */
  public List<Change> poll() {
    List<Change> changes = new ArrayList<>();
    for (var node : rows.polled()) {
      boolean answered;
      try {
        agents.on(node.id()).health();
        answered = true;
      } catch (RuntimeException e) {
        answered = false;
      }
      int missed = answered ? 0 : node.missedPolls() + 1;
      String health =
          answered
              ? "up"
              : missed >= downAfter ? "down" : missed >= unreachableAfter ? "unreachable" : "up";
      if (answered) {
        rows.answered(node.id());
      } else if (rows.missed(node.id(), unreachableAfter, downAfter, node.missedPolls()) == 0) {
        continue; // another poller heard from the node since this one asked: not a miss
      }
      if (!health.equals(node.health())) {
        log.warn("node {}: {} -> {} ({} missed polls)", node.id(), node.health(), health, missed);
        changes.add(new Change(node.id(), node.health(), health, missed));
        if ("down".equals(health)) {
          events.publishEvent(new NodeDown(node.id()));
        } else if ("up".equals(health)) {
          fence(node.id());
        }
      }
    }
    return changes;
  }

  /**
   * A node back from unreachable or down may still run VMs rebuilt elsewhere meanwhile: its agent
   * stops those whose lease another node holds (it also does so when it starts).
   */
  private void fence(String nodeId) {
    try {
      var fenced = agents.on(nodeId).fence().fenced();
      if (!fenced.isEmpty()) {
        log.warn("node {} is back: its agent fenced {}", nodeId, fenced);
      }
    } catch (RuntimeException e) {
      log.warn("node {} is back but did not fence: {}", nodeId, e.toString());
    }
  }

  public record Polled(String id, String health, int missedPolls) {}

  @Mapper
  public interface Rows {
    @Select("SELECT id, health, missed_polls FROM node WHERE status <> 'removed' ORDER BY id")
    List<Polled> polled();

    @Update(
        "UPDATE node SET health = 'up', missed_polls = 0, last_contact_at = CURRENT_TIMESTAMP(3)"
            + " WHERE id = #{nodeId}")
    void answered(String nodeId);

    /**
     * Counts a miss only if the count is still the one this poll read: with two pollers (web app
     * and Lambda, two instances) a stale failure must not undo a fresh answer, and two polls of one
     * moment count once. Health follows the stored count (assignments run left to right: health
     * first).
     */
    @Update(
        "UPDATE node SET health = CASE"
            + " WHEN missed_polls + 1 >= #{downAfter} THEN 'down'"
            + " WHEN missed_polls + 1 >= #{unreachableAfter} THEN 'unreachable' ELSE health END,"
            + " missed_polls = missed_polls + 1"
            + " WHERE id = #{nodeId} AND missed_polls = #{seenMissed}")
    int missed(
        @Param("nodeId") String nodeId,
        @Param("unreachableAfter") int unreachableAfter,
        @Param("downAfter") int downAfter,
        @Param("seenMissed") int seenMissed);
  }
}
