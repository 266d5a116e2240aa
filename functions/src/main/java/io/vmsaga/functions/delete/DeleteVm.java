package io.vmsaga.functions.delete;

import io.vmsaga.functions.core.NetworkMapper;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmPlan;
import io.vmsaga.functions.core.VmRequest;
import io.vmsaga.functions.web.Replies;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /deleteVm}: takes the VM for a delete saga and submits it. A VM that a live saga owns
 * is refused with a 409 naming that saga, except its own delete, which is answered as in progress.
 */
@Component("deleteVm")
public class DeleteVm implements Function<Message<VmRequest>, Message<?>> {
  static final Duration TIMEOUT_TO_FAIL = Duration.ofMinutes(10);
  private static final Logger log = LoggerFactory.getLogger(DeleteVm.class);

  public record Response(String vmId, String gid, String status, String dtmUrl) {}

  private final VmLookup lookup;
  private final VmMapper vms;
  private final NetworkMapper networks;
  private final Sagas sagas;

  public DeleteVm(VmLookup lookup, VmMapper vms, NetworkMapper networks, Sagas sagas) {
    this.lookup = lookup;
    this.vms = vms;
    this.networks = networks;
    this.sagas = sagas;
  }

  @Override
  public Message<?> apply(Message<VmRequest> message) {
    return lookup.on(
        message,
        VmRequest.class,
        (request, caller, vm) -> {
          if (vm.ownerGid() != null && sagas.live(vm.ownerGid())) {
            if (vm.state().equals("deleting")) {
              return answer(request, vm.id(), vm.ownerGid());
            }
            return Replies.conflict("busy", "VM is owned by saga " + vm.ownerGid());
          }
          String gid = sagas.newGid();
          if (vms.claim(vm.id(), vm.tenantId(), gid, "deleting", vm.ownerGid()) == 0) {
            return Replies.conflict("busy", "VM was just taken by another saga");
          }
          try {
            sagas.submit(DeleteVmSaga.of(gid, planOf(vm), TIMEOUT_TO_FAIL));
          } catch (RuntimeException e) {
            vms.settle(vm.id(), gid, vm.state(), "failed");
            log.warn("deleteVm {}: submit failed, VM left as it was", vm.id(), e);
            return Replies.unavailable("DTM did not take the saga; nothing was changed");
          }
          log.info("deleteVm {} submitted as saga {}", vm.id(), gid);
          return answer(request, vm.id(), gid);
        });
  }

  private Message<?> answer(VmRequest request, String vmId, String gid) {
    String status = sagas.status(gid, request.awaitResult());
    var response = new Response(vmId, gid, status, sagas.adminUrl(gid));
    return Sagas.reply(
        status,
        response,
        () ->
            Replies.status(
                409,
                Map.of(
                    "code",
                    "delete_failed",
                    "message",
                    "the delete saga did not finish; see dtmUrl",
                    "vm",
                    response)));
  }

  /** The plan the VM was created from, rebuilt from its rows: what the delete steps remove. */
  private VmPlan planOf(VmMapper.VmRow vm) {
    var disks =
        vms.disksOf(vm.id()).stream()
            .map(d -> new VmPlan.Disk(d.id(), d.pool(), d.sizeGib()))
            .toList();
    String rootId = VmPlan.rootDiskId(vm.id());
    var disk =
        disks.stream()
            .filter(d -> d.diskId().equals(rootId))
            .findFirst()
            .orElse(VmPlan.diskFor(vm.id(), false, 1));
    var dataDisks = disks.stream().filter(d -> !d.diskId().equals(rootId)).toList();
    var nic =
        vms.nicsOf(vm.id()).stream()
            .findFirst()
            .map(
                n ->
                    new VmPlan.Nic(
                        n.id(),
                        n.networkId(),
                        networks.find(n.networkId()).bridge(),
                        n.tap(),
                        n.mac()))
            .orElse(VmPlan.nicFor(vm.id(), "", ""));
    return new VmPlan(
        vm.id(),
        vm.tenantId(),
        vm.name(),
        vm.nodeId(),
        vm.vcpus(),
        vm.maxVcpus(),
        vm.memoryMib(),
        vm.maxMemoryMib(),
        0,
        disk,
        nic,
        vm.imageId() == null ? null : new VmPlan.Guest(vm.imageId(), vm.hostname(), null, null),
        dataDisks);
  }
}
