package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmInfo;
import io.vmsaga.agent.api.VmSummary;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Outcome;
import java.util.List;
import java.util.Optional;

/** The persisted VM configs: define (create or replace), read, delete, list. */
public final class VmDefinitions {
  private final VmSupervisor vms;
  private final VmLeases leases;

  public VmDefinitions(VmSupervisor vms, VmLeases leases) {
    this.vms = vms;
    this.leases = leases;
  }

  public Outcome<VmInfo> define(String vmId, VmConfig requested) {
    VmConfig config = VmConfigValidator.validate(requested);
    return vms.locked(
        vmId,
        () -> {
          Optional<VmConfig> existing = vms.store.read(vmId);
          if (existing.isPresent() && existing.get().equals(config)) {
            return Outcome.existing(vms.info(vmId, config));
          }
          if (vms.live(vmId).isPresent()) {
            throw ApiException.conflict("VM is running; stop it before changing its config");
          }
          vms.requireCidata(vmId, config);
          vms.store.write(vmId, config);
          return new Outcome<>(vms.info(vmId, config), existing.isEmpty());
        });
  }

  public VmInfo get(String vmId) {
    return vms.info(vmId, vms.requireConfig(vmId));
  }

  /**
   * Removes config, logs and socket, and the VM's lease if this node holds it; nothing to do for an
   * unknown VM, 409 while QEMU runs.
   */
  public void delete(String vmId) {
    vms.locked(
        vmId,
        () -> {
          if (vms.live(vmId).isPresent()) {
            throw ApiException.conflict("VM is running; stop it first");
          }
          vms.forget(vmId);
          leases.release(vmId, Optional.empty());
        });
  }

  public List<VmSummary> summaries() {
    return vms.store.ids().stream()
        .map(
            vmId -> {
              Optional<VmProcess> process = vms.live(vmId);
              return new VmSummary(
                  vmId,
                  process.map(VmProcess::runState).orElse(VmInfo.DEFINED),
                  process.map(p -> p.pid).orElse(null));
            })
        .toList();
  }
}
