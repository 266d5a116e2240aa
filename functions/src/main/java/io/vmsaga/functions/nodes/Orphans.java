package io.vmsaga.functions.nodes;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.Sweeper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The orphan sweeper: what {@link NodeAudit} reports as an orphan on a node (a VM definition, a
 * disk, a tap that no record owns and no saga in flight may hold) is quarantined when first seen —
 * recorded, reported, a stray QEMU paused, nothing deleted — and removed once it has stayed an
 * orphan for the grace period, in a fresh audit: VMs first (stopped, NoCloud ISO and definition
 * deleted), then disks, then taps. What is owned again, or gone, meanwhile leaves quarantine.
 */
@Component
public class Orphans implements Sweeper {
  private static final Logger log = LoggerFactory.getLogger(Orphans.class);

  /** What the sweep did to one orphan: {@code quarantined}, {@code removed} or {@code released}. */
  public record Action(String nodeId, String kind, String name, String did) {}

  private final NodeAudit audit;
  private final Agents agents;
  private final Rows rows;
  private final int graceSeconds;

  public Orphans(
      NodeAudit audit,
      Agents agents,
      Rows rows,
      @Value("${vmsaga.orphans.grace-seconds}") int graceSeconds) {
    this.audit = audit;
    this.agents = agents;
    this.rows = rows;
    this.graceSeconds = graceSeconds;
  }

  @Override
  public String name() {
    return "orphans";
  }

  @Override
  public List<Action> sweep() {
    List<Action> done = new ArrayList<>();
    for (String nodeId : rows.nodes()) {
      try {
        done.addAll(sweep(nodeId));
      } catch (RuntimeException unreachable) {
        log.warn("orphan sweep of {} skipped: {}", nodeId, unreachable.toString());
      }
    }
    return done;
  }

  private List<Action> sweep(String nodeId) {
    List<Action> done = new ArrayList<>();
    Set<Row> found = orphans(audit.of(nodeId));
    Set<Row> held = new HashSet<>(rows.quarantined(nodeId));
    for (Row row : held) {
      if (!found.contains(row) && rows.release(row) == 1) {
        done.add(row.did("released"));
      }
    }
    for (Row orphan : found) {
      if (!held.contains(orphan)) {
        rows.quarantine(orphan);
        if (orphan.kind().equals("vm")) {
          pause(nodeId, orphan.name());
        }
        log.warn("orphan {} {} on {}: quarantined", orphan.kind(), orphan.name(), nodeId);
        done.add(orphan.did("quarantined"));
      }
    }
    List<Row> due = rows.due(nodeId, graceSeconds);
    if (due.isEmpty()) {
      return done;
    }
    // only what is still an orphan now, so a saga that took it since is never robbed
    Set<Row> still = orphans(audit.of(nodeId));
    AgentClient agent = agents.on(nodeId);
    for (String kind : List.of("vm", "disk", "tap")) {
      for (Row orphan : due) {
        if (orphan.kind().equals(kind) && still.contains(orphan)) {
          try {
            remove(agent, orphan);
          } catch (AgentException e) {
            log.warn("orphan {} {} on {}: not removed yet: {}", kind, orphan.name(), nodeId, e);
            done.add(orphan.did("removal failed: " + e.code()));
            continue;
          }
          rows.removed(orphan);
          log.warn("orphan {} {} on {}: removed", kind, orphan.name(), nodeId);
          done.add(orphan.did("removed"));
        }
      }
    }
    return done;
  }

  /** What stays in quarantine now, on every node, oldest first. */
  public List<Quarantined> quarantined() {
    return rows.all();
  }

  private static Set<Row> orphans(NodeAudit.Report report) {
    Set<Row> found = new HashSet<>();
    String node = report.nodeId();
    report.orphanVms().forEach(id -> found.add(new Row(node, "vm", id)));
    report
        .orphanDisks()
        .forEach(d -> found.add(new Row(node, "disk", d.pool() + "/" + d.diskId())));
    report.orphanTaps().forEach(t -> found.add(new Row(node, "tap", t)));
    return found;
  }

  /** A stray QEMU stops running the guest, reversibly, until its grace ends. */
  private void pause(String nodeId, String vmId) {
    AgentClient agent = agents.on(nodeId);
    if (agent.getVm(vmId).map(v -> v.state().equals("running")).orElse(false)) {
      agent.action(vmId, VmAction.of(VmAction.Action.PAUSE));
    }
  }

  private static void remove(AgentClient agent, Row orphan) {
    switch (orphan.kind()) {
      case "vm" -> {
        if (agent.getVm(orphan.name()).map(v -> !v.state().equals("defined")).orElse(false)) {
          agent.action(orphan.name(), VmAction.of(VmAction.Action.STOP, 2000));
        }
        agent.deleteCidata(orphan.name());
        agent.deleteVm(orphan.name());
      }
      case "disk" -> {
        String[] poolAndId = orphan.name().split("/", 2);
        agent.deleteDisk(poolAndId[0], poolAndId[1]);
      }
      default -> agent.deleteTap(orphan.name());
    }
  }

  public record Row(String nodeId, String kind, String name) {
    Action did(String what) {
      return new Action(nodeId, kind, name, what);
    }
  }

  public record Quarantined(String nodeId, String kind, String name, String quarantinedAt) {}

  @Mapper
  public interface Rows {
    @Select(
        "SELECT node_id, kind, name, DATE_FORMAT(quarantined_at, '%Y-%m-%dT%H:%i:%s.%fZ')"
            + " AS quarantined_at FROM orphan WHERE removed_at IS NULL ORDER BY quarantined_at")
    List<Quarantined> all();

    @Select("SELECT id FROM node WHERE status <> 'removed' ORDER BY id")
    List<String> nodes();

    @Select(
        "SELECT node_id, kind, name FROM orphan WHERE node_id = #{nodeId} AND removed_at IS NULL")
    List<Row> quarantined(String nodeId);

    /** A removed one found again starts anew. */
    @Insert(
        "INSERT INTO orphan (node_id, kind, name) VALUES (#{nodeId}, #{kind}, #{name})"
            + " ON DUPLICATE KEY UPDATE quarantined_at = IF(removed_at IS NULL, quarantined_at,"
            + " CURRENT_TIMESTAMP(3)), removed_at = NULL")
    void quarantine(Row orphan);

    @Select(
        "SELECT node_id, kind, name FROM orphan WHERE node_id = #{nodeId} AND removed_at IS NULL"
            + " AND quarantined_at < CURRENT_TIMESTAMP(3) - INTERVAL #{graceSeconds} SECOND")
    List<Row> due(@Param("nodeId") String nodeId, @Param("graceSeconds") int graceSeconds);

    @Delete(
        "DELETE FROM orphan WHERE node_id = #{nodeId} AND kind = #{kind} AND name = #{name}"
            + " AND removed_at IS NULL")
    int release(Row orphan);

    @Update(
        "UPDATE orphan SET removed_at = CURRENT_TIMESTAMP(3) WHERE node_id = #{nodeId}"
            + " AND kind = #{kind} AND name = #{name}")
    int removed(Row orphan);
  }
}
