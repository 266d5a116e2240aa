package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.FencedVm;
import io.vmsaga.agent.api.FencingReport;
import io.vmsaga.agent.api.LeaseInfo;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmNic;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.net.NetService;
import io.vmsaga.agent.server.os.ExecException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes off this node every VM whose lease ({@link VmLeases}) names another node: the control plane
 * placed it there (evacuated it from this node, found dead), so it must neither run nor start here.
 * Its QEMU is SIGKILLed, its taps and definition deleted; its disks never, they belong to the VM
 * now running elsewhere. A migration target still waiting for its stream ({@code inmigrate}) has no
 * lease yet and is left alone. Runs at start-up, before the agent serves, and on request.
 */
public final class VmFencing {
  private static final Logger LOG = Logger.getLogger(VmFencing.class.getName());

  private final VmSupervisor vms;
  private final VmLeases leases;
  private final NetService net;
  private final Consumer<FencedVm> onFenced;
  private final List<FencedVm> sinceStart = new CopyOnWriteArrayList<>();

  /** {@code onFenced} is told of every VM fenced (the metrics count them). */
  public VmFencing(VmSupervisor vms, VmLeases leases, NetService net, Consumer<FencedVm> onFenced) {
    this.vms = vms;
    this.leases = leases;
    this.net = net;
    this.onFenced = onFenced;
  }

  /**
   * One pass over this node's VM definitions; answers the VMs it fenced. A VM that could not be
   * fenced (its QEMU outlived SIGKILL, its lease unreadable) does not stop the pass; the pass then
   * ends in 503 naming it, and the next pass tries it again.
   */
  public FencingReport fence() {
    List<FencedVm> fenced = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (String vmId : vms.store.ids()) {
      try {
        fence(vmId).ifPresent(fenced::add);
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "VM " + vmId + ": cannot fence it", e);
        failed.add(vmId);
      }
    }
    if (!failed.isEmpty()) {
      throw ApiException.unavailable(
          "cannot fence VMs " + failed + " (see the agent's log); fenced " + fenced.size());
    }
    return new FencingReport(fenced);
  }

  /** The VMs fenced since the agent started, its start-up pass included, oldest first. */
  public FencingReport fenced() {
    return new FencingReport(List.copyOf(sinceStart));
  }

  private Optional<FencedVm> fence(String vmId) {
    return vms.locked(
        vmId,
        () -> {
          Optional<LeaseInfo> lease = leases.elsewhere(vmId);
          Optional<VmConfig> config = vms.store.read(vmId);
          if (lease.isEmpty() || config.isEmpty()) {
            return Optional.empty();
          }
          Optional<VmProcess> process = vms.live(vmId);
          if (process.isPresent() && "inmigrate".equals(process.get().runState())) {
            return Optional.empty();
          }
          process.ifPresent(p -> vms.kill(vmId, p));
          vms.forget(vmId);
          // after the definition: a tap that a VM config names is in use, and kept
          config.get().nics().stream().map(VmNic::tap).forEach(tap -> deleteTap(vmId, tap));
          FencedVm fenced =
              new FencedVm(
                  vmId,
                  lease.get().nodeId(),
                  lease.get().generation(),
                  process.isPresent(),
                  Instant.now());
          LOG.warning(
              "fenced VM "
                  + vmId
                  + ": leased to node "
                  + fenced.leaseNodeId()
                  + " at generation "
                  + fenced.leaseGeneration()
                  + (fenced.qemuWasRunning() ? "; QEMU killed" : "")
                  + "; definition and taps deleted, disks kept");
          sinceStart.add(fenced);
          onFenced.accept(fenced);
          return Optional.of(fenced);
        });
  }

  /** A tap another VM config of this node still names stays; the VM is fenced all the same. */
  private void deleteTap(String vmId, String tap) {
    try {
      net.deleteTap(tap);
    } catch (ApiException | ExecException e) {
      LOG.warning("fenced VM " + vmId + ": tap " + tap + " kept: " + e.getMessage());
    }
  }
}
