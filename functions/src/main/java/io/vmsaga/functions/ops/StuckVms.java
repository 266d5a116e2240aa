package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.Sweeper;
import io.vmsaga.functions.core.VmMapper;
import java.util.ArrayList;
import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Settles VMs a saga took and never gave back, for longer than {@link #AFTER_SECONDS}: owned by a
 * gid DTM does not know (the trigger died between taking the VM and submitting its saga, or DTM
 * lost it), or by a saga DTM reports finished (stopped by hand in DTM's admin UI, which runs no
 * compensation). Its state is read from the agent of the node its record names (running, paused, or
 * stopped when no QEMU runs; a QEMU between states, such as a source in {@code postmigrate} whose
 * target runs, is left for an operator), it is given back to no saga, and a migration row of that
 * gid ends {@code failed} with a note. A VM whose saga DTM still runs is that saga's, and is left
 * alone. The holds such a saga took expire (the reaper); what it left on a node, the orphan sweeper
 * removes.
 */
@Component
public class StuckVms implements Sweeper {
  static final int AFTER_SECONDS = 60;
  private static final Logger log = LoggerFactory.getLogger(StuckVms.class);

  public record Settled(String vmId, String gid, String from, String to) {}

  private final Rows rows;
  private final VmMapper vms;
  private final Sagas sagas;
  private final Agents agents;

  public StuckVms(Rows rows, VmMapper vms, Sagas sagas, Agents agents) {
    this.rows = rows;
    this.vms = vms;
    this.sagas = sagas;
    this.agents = agents;
  }

  @Override
  public String name() {
    return "stuckVms";
  }

  @Override
  public List<Settled> sweep() {
    List<Settled> settled = new ArrayList<>();
    for (var owned : rows.ownedSince(AFTER_SECONDS)) {
      if (sagas.live(owned.ownerGid())) {
        continue;
      }
      String state;
      try {
        String reported =
            DirectOps.read(
                () ->
                    agents
                        .on(owned.nodeId())
                        .getVm(owned.id())
                        .map(v -> v.state())
                        .orElse("defined"));
        state = VmStates.fromAgent(reported).orElse(null);
      } catch (RuntimeException unreachable) {
        continue; // its node does not answer now: the next sweep asks again
      }
      if (state == null) {
        continue; // QEMU is between states (migrating in or out): not a saga-less VM after all
      }
      if (vms.settle(owned.id(), owned.ownerGid(), state, "failed") == 1) {
        rows.failMigration(
            owned.ownerGid(),
            "its saga ended without giving the VM back; the VM was settled as its node reports it");
        log.warn(
            "VM {} was held by saga {}, which DTM does not run: settled {} -> {}",
            owned.id(),
            owned.ownerGid(),
            owned.state(),
            state);
        settled.add(new Settled(owned.id(), owned.ownerGid(), owned.state(), state));
      }
    }
    return settled;
  }

  public record Owned(String id, String nodeId, String state, String ownerGid) {}

  @Mapper
  public interface Rows {
    /** VMs a saga took that long ago (by the record's last change) and still holds. */
    @Select(
        "SELECT id, node_id, state, owner_gid FROM vm WHERE owner_gid IS NOT NULL"
            + " AND state <> 'creating' AND node_id IS NOT NULL"
            + " AND updated_at < CURRENT_TIMESTAMP(3) - INTERVAL #{seconds} SECOND")
    List<Owned> ownedSince(int seconds);

    @Update(
        "UPDATE migration SET outcome = 'failed', note = LEFT(CONCAT_WS('; ', note, #{note}), 255),"
            + " finished_at = COALESCE(finished_at, CURRENT_TIMESTAMP(3)) WHERE gid = #{gid}"
            + " AND outcome IS NULL")
    int failMigration(@Param("gid") String gid, @Param("note") String note);
  }
}
