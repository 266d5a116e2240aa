package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmEvent;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmStatus;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.qmp.Qmp;
import java.util.List;
import java.util.Optional;

/** What is done to a defined VM as a whole: start, stop, pause …, its run status and events. */
public final class VmActions {
  private static final long DEFAULT_STOP_MS = 30_000;
  private static final long MAX_ACTION_MS = 600_000;

  private final VmSupervisor vms;
  private final VmLeases leases;

  public VmActions(VmSupervisor vms, VmLeases leases) {
    this.vms = vms;
    this.leases = leases;
  }

  /**
   * Runs one action. {@code start} of a running VM and {@code stop} of a stopped one are success;
   * {@code stop} of a VM this agent does not know is success too ({@link VmInfo#absent}), like a
   * DELETE of something missing, so a compensation can always stop. {@code start} is 409 {@code
   * fenced} while the VM's lease names another node.
   */
  public VmInfo act(String vmId, VmAction action) {
    if (action.action() == null) {
      throw ApiException.invalid("action is required");
    }
    long timeoutMs =
        action.timeoutMs() == null
            ? (action.action() == VmAction.Action.STOP
                ? DEFAULT_STOP_MS
                : VmSupervisor.DEFAULT_START_MS)
            : Ids.bounded("timeout_ms", action.timeoutMs(), 100, MAX_ACTION_MS);
    return vms.locked(
        vmId,
        () -> {
          Optional<VmConfig> config = vms.store.read(vmId);
          if (config.isEmpty() && action.action() == VmAction.Action.STOP) {
            // A QEMU whose config vanished under the agent is stopped all the same.
            vms.live(vmId).ifPresent(process -> vms.stop(vmId, process, timeoutMs));
            return VmInfo.absent(vmId);
          }
          if (config.isEmpty() && action.action() == VmAction.Action.DESTROY) {
            vms.live(vmId).ifPresent(process -> vms.destroy(vmId, process));
            return VmInfo.absent(vmId);
          }
          VmConfig defined = config.orElseThrow(() -> ApiException.notFound("no such VM"));
          switch (action.action()) {
            case START -> {
              leases.requireRunnableHere(vmId);
              if (vms.live(vmId).isEmpty()) {
                vms.spawn(vmId, defined, false, timeoutMs);
              }
            }
            case STOP -> vms.live(vmId).ifPresent(process -> vms.stop(vmId, process, timeoutMs));
            case PAUSE -> vms.requireLive(vmId).call(Qmp.stop());
            case RESUME -> vms.requireLive(vmId).call(Qmp.cont());
            case RESET -> vms.requireLive(vmId).call(Qmp.systemReset());
            case POWERDOWN -> vms.requireLive(vmId).call(Qmp.systemPowerdown());
            case DESTROY -> vms.live(vmId).ifPresent(process -> vms.destroy(vmId, process));
          }
          return vms.info(vmId, defined);
        });
  }

  public VmStatus status(String vmId) {
    vms.requireConfig(vmId);
    Qmp.StatusInfo status = vms.requireLive(vmId).call(Qmp.queryStatus());
    return new VmStatus(status.status(), status.running());
  }

  public List<VmEvent> events(String vmId, long afterSeq) {
    vms.requireConfig(vmId);
    return vms.ring(vmId).after(afterSeq);
  }
}
