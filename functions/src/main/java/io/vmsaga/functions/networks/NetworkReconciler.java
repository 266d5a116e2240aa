package io.vmsaga.functions.networks;

import io.vmsaga.agent.api.VmNicInfo;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.Sweeper;
import java.util.ArrayList;
import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The network reconciler (specification §4.2): each running or paused VM that no saga holds has its
 * NICs compared with what its node really has (the agent's {@code tap_state}: the tap there, QEMU's
 * file attached to it, on its bridge, up), and what drifted is mended by the agent without
 * restarting the VM. A VM whose NIC cannot be mended is flagged {@code degraded}; a later pass that
 * finds it whole flags it {@code ok} again. Every repair tried is a row of {@code network_repair}.
 */
@Component
public class NetworkReconciler implements Sweeper {
  private static final Logger log = LoggerFactory.getLogger(NetworkReconciler.class);

  /** How long the record of a repair is kept. */
  static final int KEEP_DAYS = 30;

  public record Repair(String vmId, String nodeId, String nicId, String found, String outcome) {}

  private final Rows rows;
  private final Agents agents;

  public NetworkReconciler(Rows rows, Agents agents) {
    this.rows = rows;
    this.agents = agents;
  }

  @Override
  public String name() {
    return "networks";
  }

  @Override
  public List<Repair> sweep() {
    List<Repair> repairs = new ArrayList<>();
    for (var vm : rows.settledRunning()) {
      AgentClient agent = agents.on(vm.nodeId());
      List<VmNicInfo> nics;
      try {
        nics = agent.vmNics(vm.id());
      } catch (AgentException unreachable) {
        continue; // the node does not answer now (its breaker says so): the next pass asks again
      }
      boolean whole = true;
      for (var nic : nics) {
        if (nic.tapState() == null || nic.tapState().equals(VmNicInfo.TAP_OK)) {
          continue;
        }
        Repair repair = mend(agent, vm, nic);
        repairs.add(repair);
        whole &= repair.outcome().equals("repaired");
      }
      String state = whole ? "ok" : "degraded";
      if (!state.equals(vm.networkState())) {
        rows.flag(vm.id(), state);
        log.warn("VM {}: network {}", vm.id(), whole ? "whole again" : "degraded");
      }
    }
    rows.forgetRepairsOlderThan(KEEP_DAYS);
    return repairs;
  }

  private Repair mend(AgentClient agent, Running vm, VmNicInfo nic) {
    String outcome = "repaired";
    String detail = null;
    try {
      VmNicInfo after = agent.repairNicTap(vm.id(), nic.nicId());
      if (!VmNicInfo.TAP_OK.equals(after.tapState())) {
        outcome = "failed";
        detail = "still " + after.tapState() + " after the repair";
      }
    } catch (AgentException e) {
      outcome = "failed";
      detail = e.code() + ": " + e.getMessage();
    }
    log.warn(
        "VM {} NIC {} on {}: tap {} was {}: {}{}",
        vm.id(),
        nic.nicId(),
        vm.nodeId(),
        nic.tap(),
        nic.tapState(),
        outcome,
        detail == null ? "" : " (" + detail + ")");
    rows.record(vm.id(), vm.nodeId(), nic.nicId(), nic.tap(), nic.tapState(), outcome, detail);
    return new Repair(vm.id(), vm.nodeId(), nic.nicId(), nic.tapState(), outcome);
  }

  public record Running(String id, String nodeId, String networkState) {}

  @Mapper
  public interface Rows {
    /** VMs whose QEMU should run as recorded, with no saga moving them. */
    @Select(
        "SELECT id, node_id, network_state FROM vm WHERE state IN ('running', 'paused')"
            + " AND owner_gid IS NULL"
            + " AND node_id IS NOT NULL ORDER BY node_id, id")
    List<Running> settledRunning();

    @Update("UPDATE vm SET network_state = #{state} WHERE id = #{vmId}")
    void flag(@Param("vmId") String vmId, @Param("state") String state);

    @Insert(
        "INSERT INTO network_repair (vm_id, node_id, nic_id, tap, found, outcome, detail)"
            + " VALUES (#{vmId}, #{nodeId}, #{nicId}, #{tap}, #{found}, #{outcome},"
            + " LEFT(#{detail}, 255))")
    void record(
        @Param("vmId") String vmId,
        @Param("nodeId") String nodeId,
        @Param("nicId") String nicId,
        @Param("tap") String tap,
        @Param("found") String found,
        @Param("outcome") String outcome,
        @Param("detail") String detail);

    @Delete("DELETE FROM network_repair WHERE at < CURRENT_TIMESTAMP(3) - INTERVAL #{days} DAY")
    void forgetRepairsOlderThan(int days);
  }
}
