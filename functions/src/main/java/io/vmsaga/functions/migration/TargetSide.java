package io.vmsaga.functions.migration;

import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.client.AgentClient;
import io.vmsaga.agent.client.AgentException;
import io.vmsaga.functions.core.Agents;
import io.vmsaga.functions.core.CidataRecords;
import io.vmsaga.functions.dtm.BranchRef;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Undoes what a move put on its target node. A compensation must end even when the target's agent
 * is gone for good, so "no answer at all" is not retried forever: QEMU there is made to exit
 * without the agent (see {@link #endIncoming}), and whatever else stays (a config file, a tap, a
 * disk) is named in the answer for the node's reconciliation. Any answer of the agent other than
 * success is retried.
 */
@Component
public class TargetSide {
  /** Below the saga's branch request timeout. */
  static final long STOP_DEADLINE_MS = 4000;

  private static final Logger log = LoggerFactory.getLogger(TargetSide.class);

  private final Agents agents;
  private final CidataRecords cidata;

  public TargetSide(Agents agents, CidataRecords cidata) {
    this.agents = agents;
    this.cidata = cidata;
  }

  /**
   * Defines the VM on the target as it is on the source: its taps, the same cidata CD-ROM (rebuilt
   * there from the kept documents) and its config.
   */
  public void define(MigrationPlan move, VmConfig config, AgentClient target) {
    move.nics().forEach(n -> target.putTap(n.targetTap(), new TapSpec(n.bridge())));
    if (Boolean.TRUE.equals(config.cidata())) {
      var documents = cidata.of(move.vmId());
      target.putCidata(
          move.vmId(),
          new CidataSpec(documents.metaData(), documents.userData(), documents.networkConfig()));
    }
    target.putVm(move.vmId(), move.configForTarget(config));
  }

  /**
   * The switch of a cold move or a rebuild: the VM defined on the target ({@link #define}) and
   * started there if it ran. Answers what the step reports.
   */
  public Map<String, Object> switchTo(MigrationPlan move, VmConfig config, BranchRef branch) {
    var target = agents.on(move.targetNodeId(), branch);
    define(move, config, target);
    if (move.wasRunning()) {
      target.action(move.vmId(), VmAction.of(VmAction.Action.START));
    }
    return Map.of("vmId", move.vmId(), "nodeId", move.targetNodeId(), "running", move.wasRunning());
  }

  /**
   * Stops the VM's QEMU on the target and forgets its config and taps; empty, or what had to stay.
   */
  public Optional<String> removeVm(MigrationPlan move, BranchRef branch) {
    AgentClient target = agents.on(move.targetNodeId(), branch);
    try {
      destroy(target, move.vmId());
      target.deleteVm(move.vmId());
      move.nics().forEach(n -> target.deleteTap(n.targetTap()));
      return Optional.empty();
    } catch (AgentException e) {
      if (e.status() != 0) {
        throw e;
      }
      if (move.incomingPort() != null) {
        endIncoming(move.targetHost(), move.incomingPort());
      }
      return leftOver(move, "config and taps");
    }
  }

  /** Deletes the disks a cold move copied to the target; empty, or what had to stay. */
  public Optional<String> removeLocalDisks(MigrationPlan move, BranchRef branch) {
    AgentClient target = agents.on(move.targetNodeId(), branch);
    try {
      move.disks().stream()
          .filter(MigrationPlan.Disk::local)
          .forEach(d -> target.deleteDisk(d.pool(), d.diskId()));
      return Optional.empty();
    } catch (AgentException e) {
      if (e.status() != 0) {
        throw e;
      }
      return leftOver(move, "copied disks");
    }
  }

  private static void destroy(AgentClient target, String vmId) {
    target.action(vmId, VmAction.of(VmAction.Action.DESTROY));
  }

  private static Optional<String> leftOver(MigrationPlan move, String what) {
    String note =
        "target agent of "
            + move.targetNodeId()
            + " unreachable: the VM's "
            + what
            + " may remain there";
    log.warn("{}", note);
    return Optional.of(note);
  }

  /**
   * A QEMU started with {@code -incoming} exits when its incoming migration fails. One that
   * received the stream already fails when the source cancels; one still waiting for it is given a
   * stream that is not a migration. Nobody listening (it took its one connection, or is gone) is
   * fine.
   */
  static void endIncoming(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      OutputStream out = socket.getOutputStream();
      out.write("vmsaga: migration aborted\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      // nothing waits on that port any more
    }
  }
}
