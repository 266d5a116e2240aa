package io.vmsaga.functions.ops;

import io.vmsaga.functions.core.MigrationRecords;
import io.vmsaga.functions.core.MigrationView;
import io.vmsaga.functions.core.Sagas;
import io.vmsaga.functions.core.VmLookup;
import io.vmsaga.functions.core.VmMapper;
import io.vmsaga.functions.core.VmRequest;
import io.vmsaga.functions.web.Replies;
import java.util.List;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * {@code POST /getVm}: the VM as recorded, with its disks, NICs and whether the network reconciler
 * finds them whole ({@code networkState}), why it is {@code lost} if it is ({@code lostReason}),
 * the sagas that own and last touched it, and its latest migration (progress while it runs,
 * downtime and outcome once it ended).
 */
@Component("getVm")
public class GetVm implements Function<Message<VmRequest>, Message<?>> {
  public record View(
      String vmId,
      String tenantId,
      String name,
      String nodeId,
      String state,
      String lostReason,
      int vcpus,
      int maxVcpus,
      int memoryMib,
      int maxMemoryMib,
      List<VmMapper.DiskRow> disks,
      List<VmMapper.NicRow> nics,
      String networkState,
      String ownerGid,
      String lastGid,
      String lastOutcome,
      String dtmUrl,
      MigrationView migration) {}

  private final VmLookup lookup;
  private final VmMapper vms;
  private final Sagas sagas;
  private final MigrationRecords migrations;

  public GetVm(
      VmLookup lookup,
      VmMapper vms,
      Sagas sagas,
      // the migration capability's mapper extends this one: name the read-only bean
      @Qualifier("migrationRecords") MigrationRecords migrations) {
    this.lookup = lookup;
    this.vms = vms;
    this.sagas = sagas;
    this.migrations = migrations;
  }

  @Override
  public Message<?> apply(Message<VmRequest> message) {
    return lookup.on(
        message,
        VmRequest.class,
        (request, caller, vm) -> {
          String gid = vm.ownerGid() != null ? vm.ownerGid() : vm.lastGid();
          return Replies.ok(
              new View(
                  vm.id(),
                  vm.tenantId(),
                  vm.name(),
                  vm.nodeId(),
                  vm.state(),
                  vms.lostReasonOf(vm.id()),
                  vm.vcpus(),
                  vm.maxVcpus(),
                  vm.memoryMib(),
                  vm.maxMemoryMib(),
                  vms.disksOf(vm.id()),
                  vms.nicsOf(vm.id()),
                  vms.networkStateOf(vm.id()),
                  vm.ownerGid(),
                  vm.lastGid(),
                  vm.lastOutcome(),
                  gid == null ? null : sagas.adminUrl(gid),
                  MigrationView.of(migrations.latestOf(vm.id()))));
        });
  }
}
