package io.vmsaga.agent.server;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.HEAD;
import static io.netty.handler.codec.http.HttpMethod.PATCH;
import static io.netty.handler.codec.http.HttpMethod.PUT;

import io.netty.handler.codec.http.HttpMethod;
import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.agent.api.DiskSpec;
import io.vmsaga.agent.api.ImageSpec;
import io.vmsaga.agent.api.IncomingSpec;
import io.vmsaga.agent.api.LeaseSpec;
import io.vmsaga.agent.api.MemorySpec;
import io.vmsaga.agent.api.MigrationParameters;
import io.vmsaga.agent.api.MigrationSpec;
import io.vmsaga.agent.api.NetworkSpec;
import io.vmsaga.agent.api.TapSpec;
import io.vmsaga.agent.api.VmAction;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.api.VmDiskSpec;
import io.vmsaga.agent.api.VmNicSpec;
import io.vmsaga.agent.server.Router.Endpoint;
import io.vmsaga.agent.server.Router.Route;
import io.vmsaga.agent.server.disk.DiskService;
import io.vmsaga.agent.server.disk.ImageService;
import io.vmsaga.agent.server.metrics.AgentMetrics;
import io.vmsaga.agent.server.net.NetService;
import io.vmsaga.agent.server.qemu.VmActions;
import io.vmsaga.agent.server.qemu.VmCidata;
import io.vmsaga.agent.server.qemu.VmDefinitions;
import io.vmsaga.agent.server.qemu.VmDiskAttachments;
import io.vmsaga.agent.server.qemu.VmFencing;
import io.vmsaga.agent.server.qemu.VmHotplug;
import io.vmsaga.agent.server.qemu.VmLeases;
import io.vmsaga.agent.server.qemu.VmMigration;
import io.vmsaga.agent.server.qemu.VmMonitor;
import io.vmsaga.agent.server.qemu.VmNicAttachments;
import java.util.List;

/** The agent API, one line per route (README.md has the same table for people). */
public final class Routes {
  private static final String DISK = "/v1/pools/{pool}/disks/{disk_id}";
  private static final String VM = "/v1/vms/{vm_id}";
  private static final String IMAGE = "/v1/images/{image_id}";
  private static final String CACHED_IMAGE = "/v1/pools/local/images/{image_id}";
  private static final String NETWORK = "/v1/networks/{network_id}";

  private Routes() {}

  public static Router router(
      NodeService node,
      DiskService disks,
      NetService net,
      VmDefinitions vms,
      VmActions actions,
      VmHotplug hotplug,
      VmDiskAttachments attachments,
      VmNicAttachments nics,
      VmMigration migration,
      ImageService images,
      VmCidata cidata,
      VmMonitor monitor,
      VmLeases leases,
      VmFencing fencing,
      AgentMetrics metrics) {
    return new Router(
        List.of(
            route(GET, "/v1/health", c -> Reply.ok(node.health())),
            route(GET, "/v1/node", c -> Reply.ok(node.inventory())),
            route(GET, "/metrics", c -> Reply.text(metrics.scrape(), AgentMetrics.CONTENT_TYPE)),
            route(PUT, "/v1/fencing", c -> Reply.ok(fencing.fence())),
            route(GET, "/v1/fencing", c -> Reply.ok(fencing.fenced())),
            route(
                PUT,
                DISK,
                c ->
                    Reply.of(
                        disks.put(c.param("pool"), c.param("disk_id"), c.body(DiskSpec.class)))),
            route(GET, DISK, c -> Reply.ok(disks.get(c.param("pool"), c.param("disk_id")))),
            route(
                HEAD,
                DISK,
                c -> {
                  disks.requireExists(c.param("pool"), c.param("disk_id"));
                  return Reply.found();
                }),
            route(
                PATCH,
                DISK,
                c ->
                    Reply.ok(
                        disks.resize(c.param("pool"), c.param("disk_id"), c.body(DiskSpec.class)))),
            route(
                DELETE,
                DISK,
                c -> noContent(() -> disks.delete(c.param("pool"), c.param("disk_id")))),
            route(GET, DISK + "/content", c -> disks.export(c.param("pool"), c.param("disk_id"))),
            new Route(
                PUT,
                DISK + "/content",
                (Router.Upload)
                    c ->
                        disks.beginImport(
                            c.param("pool"),
                            c.param("disk_id"),
                            c.headers().get(DiskService.SHA256_HEADER))),
            route(GET, "/v1/images", c -> Reply.ok(images.list())),
            route(PUT, IMAGE, c -> images.put(c.param("image_id"), c.body(ImageSpec.class))),
            route(GET, IMAGE, c -> Reply.ok(images.get(c.param("image_id")))),
            route(DELETE, IMAGE, c -> noContent(() -> images.delete(c.param("image_id")))),
            route(PUT, CACHED_IMAGE, c -> Reply.of(images.putCached(c.param("image_id")))),
            route(GET, CACHED_IMAGE, c -> Reply.ok(images.getCached(c.param("image_id")))),
            route(
                DELETE,
                CACHED_IMAGE,
                c -> noContent(() -> images.deleteCached(c.param("image_id")))),
            route(
                PUT,
                NETWORK,
                c -> Reply.of(net.putNetwork(c.param("network_id"), c.body(NetworkSpec.class)))),
            route(GET, NETWORK, c -> Reply.ok(net.getNetwork(c.param("network_id")))),
            route(DELETE, NETWORK, c -> noContent(() -> net.deleteNetwork(c.param("network_id")))),
            route(PUT, "/v1/bridges/{name}", c -> Reply.of(net.putBridge(c.param("name")))),
            route(
                DELETE,
                "/v1/bridges/{name}",
                c -> noContent(() -> net.deleteBridge(c.param("name")))),
            route(
                PUT,
                "/v1/taps/{name}",
                c -> Reply.of(net.putTap(c.param("name"), c.body(TapSpec.class)))),
            route(GET, "/v1/taps/{name}", c -> Reply.ok(net.getTap(c.param("name")))),
            route(DELETE, "/v1/taps/{name}", c -> noContent(() -> net.deleteTap(c.param("name")))),
            route(PUT, VM, c -> Reply.of(vms.define(c.param("vm_id"), c.body(VmConfig.class)))),
            route(GET, VM, c -> Reply.ok(vms.get(c.param("vm_id")))),
            route(DELETE, VM, c -> noContent(() -> vms.delete(c.param("vm_id")))),
            route(
                PUT,
                VM + "/lease",
                c -> Reply.ok(leases.put(c.param("vm_id"), c.body(LeaseSpec.class)))),
            route(GET, VM + "/lease", c -> Reply.ok(leases.get(c.param("vm_id")))),
            route(
                DELETE,
                VM + "/lease",
                c -> noContent(() -> leases.delete(c.param("vm_id"), c.query("generation")))),
            route(
                PUT,
                VM + "/actions",
                c -> Reply.ok(actions.act(c.param("vm_id"), c.body(VmAction.class)))),
            route(
                PUT,
                VM + "/cidata",
                c -> Reply.of(cidata.put(c.param("vm_id"), c.body(CidataSpec.class)))),
            route(GET, VM + "/cidata", c -> Reply.ok(cidata.get(c.param("vm_id")))),
            route(DELETE, VM + "/cidata", c -> noContent(() -> cidata.delete(c.param("vm_id")))),
            route(
                GET,
                VM + "/console",
                c -> Reply.text(cidata.console(c.param("vm_id"), c.query("tail_bytes")))),
            route(GET, VM + "/status", c -> Reply.ok(actions.status(c.param("vm_id")))),
            route(GET, VM + "/stats", c -> Reply.ok(monitor.stats(c.param("vm_id")))),
            route(
                GET, VM + "/events", c -> Reply.ok(actions.events(c.param("vm_id"), afterSeq(c)))),
            route(
                PUT,
                VM + "/cpus/{device_id}",
                c -> Reply.of(hotplug.plugCpu(c.param("vm_id"), c.param("device_id")))),
            route(GET, VM + "/cpus", c -> Reply.ok(hotplug.cpus(c.param("vm_id")))),
            route(
                PUT,
                VM + "/memory/{device_id}",
                c ->
                    Reply.of(
                        hotplug.plugMemory(
                            c.param("vm_id"), c.param("device_id"), c.body(MemorySpec.class)))),
            route(GET, VM + "/memory", c -> Reply.ok(hotplug.memoryDevices(c.param("vm_id")))),
            route(
                PUT,
                VM + "/disks/{disk_id}",
                c ->
                    Reply.of(
                        attachments.attach(
                            c.param("vm_id"), c.param("disk_id"), c.body(VmDiskSpec.class)))),
            route(GET, VM + "/disks", c -> Reply.ok(attachments.list(c.param("vm_id")))),
            route(
                DELETE,
                VM + "/disks/{disk_id}",
                c ->
                    noContent(
                        () ->
                            attachments.detach(
                                c.param("vm_id"), c.param("disk_id"), c.query("timeout_ms")))),
            route(
                PUT,
                VM + "/nics/{nic_id}",
                c ->
                    Reply.of(
                        nics.attach(c.param("vm_id"), c.param("nic_id"), c.body(VmNicSpec.class)))),
            route(GET, VM + "/nics", c -> Reply.ok(nics.list(c.param("vm_id")))),
            route(
                PUT,
                VM + "/nics/{nic_id}/tap",
                c -> Reply.ok(nics.repairTap(c.param("vm_id"), c.param("nic_id")))),
            route(
                DELETE,
                VM + "/nics/{nic_id}",
                c ->
                    noContent(
                        () ->
                            nics.detach(
                                c.param("vm_id"), c.param("nic_id"), c.query("timeout_ms")))),
            route(
                PUT,
                VM + "/incoming",
                c ->
                    Reply.of(
                        migration.startIncoming(c.param("vm_id"), c.body(IncomingSpec.class)))),
            route(
                PUT,
                VM + "/migration-parameters",
                c ->
                    Reply.ok(
                        migration.setMigrationParameters(
                            c.param("vm_id"), c.body(MigrationParameters.class)))),
            route(
                DELETE,
                VM + "/migration-parameters",
                c -> noContent(() -> migration.resetMigrationParameters(c.param("vm_id")))),
            route(
                PUT,
                VM + "/migration",
                c -> Reply.ok(migration.migrate(c.param("vm_id"), c.body(MigrationSpec.class)))),
            route(
                GET,
                VM + "/migration",
                c -> Reply.ok(migration.migration(c.param("vm_id"), c.query("wait_ms")))),
            route(
                DELETE,
                VM + "/migration",
                c -> noContent(() -> migration.cancelMigration(c.param("vm_id"))))));
  }

  private static Route route(HttpMethod method, String template, Endpoint endpoint) {
    return new Route(method, template, endpoint);
  }

  private static Reply noContent(Runnable action) {
    action.run();
    return Reply.noContent();
  }

  private static long afterSeq(Call call) {
    String after = call.query("after").orElse("0");
    if (!after.matches("[0-9]{1,18}")) {
      throw ApiException.invalid("after must be a sequence number");
    }
    return Long.parseLong(after);
  }
}
