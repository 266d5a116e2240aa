package io.vmsaga.functions.api;

import io.vmsaga.functions.assign.AssignVm;
import io.vmsaga.functions.batches.BatchCreateVms;
import io.vmsaga.functions.batches.GetBatch;
import io.vmsaga.functions.create.CreateVm;
import io.vmsaga.functions.delete.DeleteVm;
import io.vmsaga.functions.disks.AttachDisk;
import io.vmsaga.functions.disks.ResizeDisk;
import io.vmsaga.functions.drain.DrainReport;
import io.vmsaga.functions.evacuation.Evacuation;
import io.vmsaga.functions.health.Health;
import io.vmsaga.functions.images.ImageView;
import io.vmsaga.functions.images.ImportImage;
import io.vmsaga.functions.migration.Moves;
import io.vmsaga.functions.networks.CreateNetwork;
import io.vmsaga.functions.networks.NetworkReconciler;
import io.vmsaga.functions.networks.NetworkRecords;
import io.vmsaga.functions.nodes.ListNodes;
import io.vmsaga.functions.nodes.NodeAudit;
import io.vmsaga.functions.nodes.Orphans;
import io.vmsaga.functions.nodes.RegisterNode;
import io.vmsaga.functions.nodes.RemoveNode;
import io.vmsaga.functions.ops.GetConsoleLog;
import io.vmsaga.functions.ops.GetSaga;
import io.vmsaga.functions.ops.GetVm;
import io.vmsaga.functions.ops.GetVmStats;
import io.vmsaga.functions.ops.GetVmStatus;
import io.vmsaga.functions.ops.ListVms;
import io.vmsaga.functions.ops.StuckVms;
import io.vmsaga.functions.ops.VmStatusView;
import io.vmsaga.functions.tenants.CreateTenant;
import io.vmsaga.functions.tenants.TenantRecords;
import io.vmsaga.functions.web.Check;
import io.vmsaga.functions.web.Replies;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.core.ResolvableType;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/openapi.json: every function a caller reaches with a bearer token, as one table. An entry
 * says what its records cannot — what the function is for, who may call it, which statuses it
 * answers with which body, and the stable codes of each refusal; the request schema comes from the
 * bean's own input type and every body from its record ({@link Schemas}), so a changed record
 * changes the description. ApiDescriptionTest fails when the checked-in file is not what this
 * writes, and when a function bean has no entry.
 */
final class ApiDescription {
  /** Who may call a function: anyone, any tenant's token, or an administrator's. */
  enum Caller {
    ANYONE,
    TENANT,
    ADMIN
  }

  /** Request fields checked against these (web.Check), wherever they appear. */
  static final Map<String, Pattern> PATTERNS =
      Map.of(
          "vmId", Check.ID,
          "nodeId", Check.ID,
          "targetNodeId", Check.ID,
          "networkId", Check.ID,
          "imageId", Check.ID,
          "diskId", Check.ID,
          "tenantId", Check.ID,
          "toTenantId", Check.ID,
          "idempotencyKey", Check.KEY);

  /** A body of named fields (a function that answers a map). */
  record Fields(Map<String, Type> fields) {}

  /** One of several bodies. */
  record AnyOf(List<Type> types) {}

  /** A refusal: its stable codes, or for a saga's failure the codes its steps are known to give. */
  static final class Refusal {
    final Set<String> codes = new LinkedHashSet<>();
    final Map<String, Type> extra = new LinkedHashMap<>();
    String openNote;
  }

  /** One function. */
  static final class Entry {
    final String name;
    final String tag;
    final Caller caller;
    final String summary;
    final Map<Integer, Object> answers = new TreeMap<>();
    final Map<Integer, Refusal> refusals = new TreeMap<>();

    /** Codes a 200 answer carries inside it (a failed saga's reason), not refusals. */
    final Set<String> reported = new LinkedHashSet<>();

    Entry(String name, String tag, Caller caller, String summary) {
      this.name = name;
      this.tag = tag;
      this.caller = caller;
      this.summary = summary;
      if (caller != Caller.ANYONE) {
        refuses(400, "malformed_json").refuses(401, "unauthorized");
      }
      if (caller == Caller.ADMIN) {
        refuses(403, "forbidden");
      }
    }

    /** Answers {@code status} with this body: a record, a {@link Fields} or an {@link AnyOf}. */
    Entry answers(int status, Object body) {
      answers.put(status, body);
      return this;
    }

    /** 200 done, 202 still under way: a saga's trigger. */
    Entry saga(Type body) {
      return answers(200, body).answers(202, body);
    }

    Entry refuses(int status, String... codes) {
      refusals.computeIfAbsent(status, s -> new Refusal()).codes.addAll(List.of(codes));
      return this;
    }

    /** A 200 answer may carry these codes in a field of its own (a saga's failure reason). */
    Entry reports(String... codes) {
      reported.addAll(List.of(codes));
      return this;
    }

    /** The refusal's body has this field too. */
    Entry with(int status, String field, Type type) {
      refusals.computeIfAbsent(status, s -> new Refusal()).extra.put(field, type);
      return this;
    }

    /**
     * A saga that failed: 409 with the failing step's own code and message (an open set; these are
     * known), and the trigger's answer under {@code key}.
     */
    Entry sagaFailure(String key, Type answer, String... known) {
      Refusal r = refusals.computeIfAbsent(409, s -> new Refusal());
      r.openNote =
          "or, for a saga that failed, the failing step's own code, e.g. "
              + String.join(", ", known);
      r.extra.put(key, answer);
      return this;
    }

    /** The usual refusals of a function on one VM (VmLookup): a bad id, none the caller sees. */
    Entry onVm() {
      return refuses(400, "invalid").refuses(404, "not_found");
    }

    /** A direct operation (DirectOps): a saga holds the VM, its node refuses or is gone. */
    Entry direct() {
      return onVm()
          .refuses(409, "busy", "node_refused")
          .refuses(503, "unavailable")
          .with(409, "state", String.class);
    }
  }

  static Entry fn(String name, String tag, Caller caller, String summary) {
    return new Entry(name, tag, caller, summary);
  }

  static Type listOf(Class<?> element) {
    return ResolvableType.forClassWithGenerics(List.class, element).getType();
  }

  static Fields fields(Object... nameThenType) {
    Map<String, Type> fields = new LinkedHashMap<>();
    for (int i = 0; i < nameThenType.length; i += 2) {
      fields.put((String) nameThenType[i], (Type) nameThenType[i + 1]);
    }
    return new Fields(fields);
  }

  /** Fields a request needs (the functions' checks; a record cannot say it). */
  static final Map<Class<?>, List<String>> REQUIRED =
      Map.ofEntries(
          Map.entry(
              CreateVm.Request.class,
              List.of("name", "vcpus", "memoryMib", "diskGib", "networkId")),
          Map.entry(CreateVm.DataDisk.class, List.of("sizeGib")),
          Map.entry(io.vmsaga.functions.core.VmRequest.class, List.of("vmId")),
          Map.entry(io.vmsaga.functions.ops.StartVm.Request.class, List.of("vmId")),
          Map.entry(io.vmsaga.functions.ops.StopVm.Request.class, List.of("vmId")),
          Map.entry(io.vmsaga.functions.ops.RebootVm.Request.class, List.of("vmId")),
          Map.entry(GetVmStatus.Request.class, List.of("vmId")),
          Map.entry(GetConsoleLog.Request.class, List.of("vmId")),
          Map.entry(io.vmsaga.functions.ops.HotplugCpu.Request.class, List.of("vmId", "vcpus")),
          Map.entry(
              io.vmsaga.functions.ops.HotplugMemory.Request.class, List.of("vmId", "sizeMib")),
          Map.entry(ResizeDisk.Request.class, List.of("vmId", "sizeGib")),
          Map.entry(AttachDisk.Request.class, List.of("vmId")),
          Map.entry(io.vmsaga.functions.disks.DetachDisk.Request.class, List.of("vmId", "diskId")),
          Map.entry(BatchCreateVms.Request.class, List.of("vms")),
          Map.entry(GetBatch.Request.class, List.of("batchId")),
          Map.entry(AssignVm.Request.class, List.of("vmId", "toTenantId", "networkId")),
          Map.entry(
              io.vmsaga.functions.migration.MigrateVm.Request.class,
              List.of("vmId", "targetNodeId")),
          Map.entry(
              io.vmsaga.functions.migration.ColdMigrateVm.Request.class,
              List.of("vmId", "targetNodeId")),
          Map.entry(CreateNetwork.Request.class, List.of("name")),
          Map.entry(io.vmsaga.functions.networks.DeleteNetwork.Request.class, List.of("networkId")),
          Map.entry(io.vmsaga.functions.nodes.AuditNode.Request.class, List.of("nodeId")),
          Map.entry(RegisterNode.Request.class, List.of("nodeId", "agentUrl")),
          Map.entry(ImportImage.Request.class, List.of("name", "url")),
          Map.entry(io.vmsaga.functions.images.GetImage.Request.class, List.of("imageId")),
          Map.entry(CreateTenant.Request.class, List.of("name")),
          Map.entry(io.vmsaga.functions.tenants.SetQuota.Request.class, List.of("tenantId")));

  static final String VMS = "VMs";
  static final String DISKS = "Disks";
  static final String BATCHES = "Batches";
  static final String MIGRATION = "Migration";
  static final String IMAGES = "Images";
  static final String NETWORKS = "Networks";
  static final String TENANTS = "Tenants";
  static final String NODES = "Nodes";
  static final String HEALTH = "Health";

  /** Every user-facing function, in the README's order. */
  static final List<Entry> FUNCTIONS =
      List.of(
          fn(
                  "createVm",
                  VMS,
                  Caller.TENANT,
                  "Create a VM (the createVm saga); the same idempotencyKey always names the same VM")
              .saga(CreateVm.Response.class)
              .refuses(400, "invalid", "user_data_too_large", "disk_too_small")
              .refuses(403, "forbidden")
              .refuses(404, "not_found")
              .refuses(409, "network_not_ready", "image_not_ready", "no_capacity", "create_failed")
              .with(409, "vm", CreateVm.Response.class)
              .with(409, "reason", Replies.Error.class)
              .refuses(503, "unavailable"),
          fn(
                  "deleteVm",
                  VMS,
                  Caller.TENANT,
                  "Delete a VM and everything it holds (the deleteVm saga, forward only)")
              .saga(DeleteVm.Response.class)
              .onVm()
              .refuses(409, "busy", "delete_failed")
              .with(409, "vm", DeleteVm.Response.class)
              .refuses(503, "unavailable"),
          fn(
                  "getVm",
                  VMS,
                  Caller.TENANT,
                  "A VM as recorded: disks, NICs, owning and last saga, latest migration")
              .answers(200, GetVm.View.class)
              .onVm(),
          fn(
                  "listVms",
                  VMS,
                  Caller.TENANT,
                  "The caller's VMs, oldest first, a page at a time (nextCursor, null on the last page); filters by state and node")
              .answers(200, ListVms.Page.class)
              .refuses(400, "invalid"),
          fn("startVm", VMS, Caller.TENANT, "Resume a paused VM or boot a stopped one")
              .answers(200, VmStatusView.class)
              .direct()
              .refuses(409, "wrong_state"),
          fn(
                  "stopVm",
                  VMS,
                  Caller.TENANT,
                  "Power a VM off: the ACPI power button, forced after half of timeoutSeconds (30)")
              .answers(200, VmStatusView.class)
              .direct()
              .refuses(409, "wrong_state"),
          fn("pauseVm", VMS, Caller.TENANT, "Freeze a running VM where it is (QMP stop)")
              .answers(200, VmStatusView.class)
              .direct()
              .refuses(409, "wrong_state"),
          fn("resumeVm", VMS, Caller.TENANT, "Let a paused VM run on (QMP cont)")
              .answers(200, VmStatusView.class)
              .direct()
              .refuses(409, "wrong_state"),
          fn(
                  "getVmStats",
                  VMS,
                  Caller.TENANT,
                  "What a running VM uses now: CPU, memory, per-disk I/O, per-NIC counters")
              .answers(200, GetVmStats.Stats.class)
              .direct()
              .refuses(409, "wrong_state"),
          fn(
                  "getSaga",
                  VMS,
                  Caller.TENANT,
                  "A saga's steps as DTM records them, for sagas a record of the caller names")
              .answers(200, GetSaga.View.class)
              .reports("saga_failed")
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(503, "unavailable"),
          fn("rebootVm", VMS, Caller.TENANT, "Reset a running VM")
              .answers(200, VmStatusView.class)
              .direct()
              .refuses(409, "wrong_state"),
          fn(
                  "getVmStatus",
                  VMS,
                  Caller.TENANT,
                  "QEMU's own status next to the recorded state; a disagreement corrects the record")
              .answers(200, GetVmStatus.Status.class)
              .direct(),
          fn(
                  "hotplugCpu",
                  VMS,
                  Caller.TENANT,
                  "Grow a running VM to vcpus vCPUs, within its headroom, node and quota")
              .answers(200, VmStatusView.class)
              .direct()
              .refuses(
                  409,
                  "wrong_state",
                  "unplug_unsupported",
                  "beyond_headroom",
                  "quota_exceeded",
                  "no_capacity"),
          fn(
                  "hotplugMemory",
                  VMS,
                  Caller.TENANT,
                  "Grow a running VM to sizeMib of memory (steps of 128 MiB), within its headroom, node and quota")
              .answers(200, VmStatusView.class)
              .direct()
              .refuses(
                  409,
                  "wrong_state",
                  "unplug_unsupported",
                  "beyond_headroom",
                  "quota_exceeded",
                  "no_capacity"),
          fn(
                  "getConsoleLog",
                  VMS,
                  Caller.TENANT,
                  "The end of the VM's serial console (tailBytes, default 16 KiB, at most 1 MiB)")
              .answers(200, GetConsoleLog.Console.class)
              .onVm()
              .refuses(409, "wrong_state")
              .refuses(503, "unavailable"),
          fn(
                  "resizeDisk",
                  DISKS,
                  Caller.TENANT,
                  "Grow a disk (the root disk unless diskId), running or stopped (the resizeDisk saga)")
              .saga(ResizeDisk.Response.class)
              .onVm()
              .refuses(400, "disk_shrink")
              .refuses(409, "not_ready", "busy", "disk_failed")
              .sagaFailure("disk", ResizeDisk.Response.class, "quota_exceeded")
              .refuses(503, "unavailable"),
          fn(
                  "attachDisk",
                  DISKS,
                  Caller.TENANT,
                  "Plug a new blank data disk (sizeGib) or one the VM kept detached (diskId) into the VM (the attachDisk saga)")
              .saga(AttachDisk.Response.class)
              .onVm()
              .refuses(409, "too_many_disks", "not_ready", "busy", "disk_failed")
              .sagaFailure("disk", AttachDisk.Response.class, "quota_exceeded")
              .refuses(503, "unavailable"),
          fn(
                  "detachDisk",
                  DISKS,
                  Caller.TENANT,
                  "Unplug a data disk and delete it, or keep it detached (delete: false) (the detachDisk saga)")
              .saga(AttachDisk.Response.class)
              .onVm()
              .refuses(409, "root_disk", "not_ready", "busy", "disk_failed")
              .sagaFailure("disk", AttachDisk.Response.class, "node_refused")
              .refuses(503, "unavailable"),
          fn(
                  "batchCreateVms",
                  BATCHES,
                  Caller.TENANT,
                  "Create up to 1000 VMs, each its own createVm saga, at most concurrency at once; answers at once")
              .answers(202, BatchCreateVms.Response.class)
              .refuses(400, "invalid", "invalid_item")
              .refuses(403, "invalid_item"),
          fn(
                  "getBatch",
                  BATCHES,
                  Caller.TENANT,
                  "A batch's counts and each VM's status, error, duration and saga")
              .answers(200, GetBatch.View.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found"),
          fn(
                  "migrateVm",
                  MIGRATION,
                  Caller.TENANT,
                  "Move a running VM with shared disks to targetNodeId while it runs (the migrateVm saga)")
              .saga(Moves.Response.class)
              .onVm()
              .refuses(
                  409,
                  "same_node",
                  "node_unavailable",
                  "busy",
                  "local_disk",
                  "not_movable",
                  "no_capacity",
                  "migration_failed")
              .with(409, "reason", String.class)
              .with(409, "vm", Moves.Response.class)
              .refuses(503, "unavailable"),
          fn(
                  "cancelMigration",
                  MIGRATION,
                  Caller.TENANT,
                  "Cancel the VM's migration before its pivot; the VM keeps running on its source")
              .saga(Moves.Response.class)
              .onVm()
              .refuses(409, "not_migrating", "past_pivot"),
          fn(
                  "coldMigrateVm",
                  MIGRATION,
                  Caller.TENANT,
                  "Move a VM and its local disks to targetNodeId: stopped, copied, started there if it ran (the coldMigrateVm saga)")
              .saga(Moves.Response.class)
              .onVm()
              .refuses(
                  409,
                  "same_node",
                  "node_unavailable",
                  "busy",
                  "not_movable",
                  "no_capacity",
                  "migration_failed")
              .with(409, "reason", String.class)
              .with(409, "vm", Moves.Response.class)
              .refuses(503, "unavailable"),
          fn(
                  "assignVm",
                  VMS,
                  Caller.ADMIN,
                  "Give a stopped VM to another tenant, on one of its networks (the assignVm saga)")
              .saga(AssignVm.Response.class)
              .onVm()
              .refuses(
                  409,
                  "same_tenant",
                  "network_not_ready",
                  "not_stopped",
                  "busy",
                  "nics",
                  "same_network",
                  "node_refused",
                  "assign_failed")
              .sagaFailure("vm", AssignVm.Response.class, "quota_exceeded")
              .refuses(503, "unavailable"),
          fn(
                  "importImage",
                  IMAGES,
                  Caller.ADMIN,
                  "Import a qcow2 or raw image from an http(s) URL into the shared image pool (the importImage saga); the same name and URL again answers the image there is")
              .answers(200, new AnyOf(List.of(ImportImage.Response.class, ImageView.class)))
              .answers(202, ImportImage.Response.class)
              .refuses(400, "invalid", "invalid_url")
              .refuses(409, "exists", "import_failed")
              .sagaFailure(
                  "image",
                  ImportImage.Response.class,
                  "checksum_mismatch",
                  "unsafe_image",
                  "too_large")
              .refuses(503, "unavailable"),
          fn("listImages", IMAGES, Caller.TENANT, "Every image (images are shared by all tenants)")
              .answers(200, fields("images", listOf(ImageView.class))),
          fn("getImage", IMAGES, Caller.TENANT, "One image")
              .answers(200, ImageView.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found"),
          fn(
                  "deleteImage",
                  IMAGES,
                  Caller.ADMIN,
                  "Delete an image no VM was made from: nodes' cached copies, the shared file, the record")
              .answers(200, fields("deleted", String.class))
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(409, "busy", "in_use")
              .refuses(503, "unavailable"),
          fn(
                  "createNetwork",
                  NETWORKS,
                  Caller.ADMIN,
                  "Create a network (the createNetwork saga): its bridge, and with a cidr its gateway namespace, on every node")
              .saga(CreateNetwork.Response.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(409, "network_exists", "cidr_overlap", "create_failed")
              .sagaFailure("network", CreateNetwork.Response.class, "agent_unreachable"),
          fn(
                  "deleteNetwork",
                  NETWORKS,
                  Caller.ADMIN,
                  "Delete a network no NIC is on (the deleteNetwork saga, forward only)")
              .saga(CreateNetwork.Response.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(409, "network_busy", "network_in_use", "delete_failed")
              .sagaFailure("network", CreateNetwork.Response.class, "agent_unreachable"),
          fn(
                  "listNetworks",
                  NETWORKS,
                  Caller.TENANT,
                  "The networks the caller may use (administrators: all), with state and VM count")
              .answers(200, fields("networks", listOf(NetworkRecords.NetworkView.class))),
          fn(
                  "reconcileNetworks",
                  NETWORKS,
                  Caller.ADMIN,
                  "Run the network reconciler now: running VMs' NICs against their nodes' taps, mended in place")
              .answers(200, fields("repairs", listOf(NetworkReconciler.Repair.class))),
          fn(
                  "createTenant",
                  TENANTS,
                  Caller.ADMIN,
                  "Create a tenant; its bearer token is answered this once")
              .answers(201, CreateTenant.Created.class)
              .refuses(400, "invalid")
              .refuses(409, "tenant_exists"),
          fn(
                  "setQuota",
                  TENANTS,
                  Caller.ADMIN,
                  "Set a tenant's limits (a limit below usage is allowed)")
              .answers(200, TenantRecords.TenantView.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found"),
          fn(
                  "getTenant",
                  TENANTS,
                  Caller.TENANT,
                  "A tenant's quota and usage: the caller's own, or any for administrators")
              .answers(200, TenantRecords.TenantView.class)
              .refuses(400, "invalid")
              .refuses(403, "forbidden")
              .refuses(404, "not_found"),
          fn("listTenants", TENANTS, Caller.ADMIN, "Every tenant with its quota and usage")
              .answers(200, fields("tenants", listOf(TenantRecords.TenantView.class))),
          fn(
                  "registerNode",
                  NODES,
                  Caller.ADMIN,
                  "Register or update a node from its agent's inventory, making every network's bridge on it")
              .answers(200, RegisterNode.Registered.class)
              .refuses(400, "invalid")
              .refuses(409, "agent_unreachable", "inventory_mismatch"),
          fn(
                  "drainNode",
                  NODES,
                  Caller.ADMIN,
                  "Move every VM off a node (live where its disks are shared, cold otherwise) and mark it drained (the drainNode saga)")
              .saga(DrainReport.Report.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(
                  409,
                  "drain_running",
                  "node_down",
                  "node_unavailable",
                  "not_drainable",
                  "drain_stopped",
                  "drain_cancelled",
                  "drain_failed")
              .with(409, "drain", DrainReport.Report.class)
              .refuses(503, "unavailable"),
          fn(
                  "getNodeDrain",
                  NODES,
                  Caller.ADMIN,
                  "A node's latest drain: what moved where, what did not and why")
              .saga(DrainReport.Report.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(409, "drain_stopped", "drain_cancelled", "drain_failed")
              .with(409, "drain", DrainReport.Report.class),
          fn("undrainNode", NODES, Caller.ADMIN, "Put a draining or drained node back in service")
              .answers(
                  200, fields("nodeId", String.class, "status", String.class, "was", String.class))
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(409, "not_draining"),
          fn(
                  "removeNode",
                  NODES,
                  Caller.ADMIN,
                  "Take an empty drained (or evacuated, down) node out of the fleet; its agent forgets the fleet's networks and images")
              .answers(200, RemoveNode.Removed.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(409, "not_drained", "node_not_empty"),
          fn(
                  "evacuateNode",
                  NODES,
                  Caller.ADMIN,
                  "Disaster recovery for a down node: rebuild its shared-disk VMs elsewhere (an evacuateVm saga each), mark its local-disk VMs lost")
              .saga(Evacuation.Report.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(409, "node_not_down", "evacuation_incomplete")
              .with(409, "evacuation", Evacuation.Report.class),
          fn(
                  "listNodes",
                  NODES,
                  Caller.ADMIN,
                  "Each node's capacity, overcommit, commitments and its agent's circuit breaker")
              .answers(200, fields("nodes", listOf(ListNodes.NodeView.class))),
          fn(
                  "auditNode",
                  NODES,
                  Caller.ADMIN,
                  "What the node really holds against the records: orphans and missing VMs")
              .answers(200, NodeAudit.Report.class)
              .refuses(400, "invalid")
              .refuses(404, "not_found")
              .refuses(503, "unavailable"),
          fn(
                  "sweepOrphans",
                  NODES,
                  Caller.ADMIN,
                  "Run the orphan sweeper now: quarantine new orphans, remove those past their grace")
              .answers(
                  200,
                  fields(
                      "did",
                      listOf(Orphans.Action.class),
                      "quarantined",
                      listOf(Orphans.Quarantined.class))),
          fn("reclaimReservations", NODES, Caller.ADMIN, "Reclaim the holds of sagas that died")
              .answers(200, fields("reclaimed", listOf(String.class))),
          fn(
                  "settleStuckVms",
                  NODES,
                  Caller.ADMIN,
                  "Give back VMs held by a saga DTM does not know or reports finished")
              .answers(200, fields("settled", listOf(StuckVms.Settled.class))),
          fn("health", HEALTH, Caller.ANYONE, "The app is up and its database answers")
              .answers(200, Health.Status.class)
              .answers(503, Health.Status.class));

  private ApiDescription() {}

  /** The description of these functions (beans by name), as the JSON of docs/openapi.json. */
  static String write(Map<String, Class<?>> beans) {
    var schemas = new Schemas(REQUIRED, PATTERNS);
    Map<String, Object> paths = new LinkedHashMap<>();
    for (Entry entry : FUNCTIONS) {
      Class<?> bean = beans.get(entry.name);
      if (bean == null) {
        throw new IllegalStateException("no function bean named " + entry.name);
      }
      paths.put("/" + entry.name, Map.of(method(bean), operation(entry, bean, schemas)));
    }
    Map<String, Object> api = new LinkedHashMap<>();
    api.put("openapi", "3.1.0");
    api.put(
        "info",
        obj(
            "title",
            "vmsaga functions",
            "version",
            "0.1.0",
            "description",
            "Every call is POST /<function> with one JSON object and Authorization: Bearer <token>."
                + " A refusal is {code, message} with a stable code. Generated from the functions'"
                + " records by ApiDescriptionTest (functions/src/test/java/io/vmsaga/functions/api);"
                + " do not edit by hand."));
    api.put("tags", tags());
    api.put("security", List.of(Map.of("bearer", List.of())));
    api.put("paths", paths);
    api.put(
        "components",
        obj(
            "securitySchemes",
            Map.of("bearer", obj("type", "http", "scheme", "bearer")),
            "schemas",
            schemas.components));
    return JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build()
            .writeValueAsString(api)
        + "\n";
  }

  private static List<Map<String, String>> tags() {
    var tags = new LinkedHashSet<String>();
    FUNCTIONS.forEach(e -> tags.add(e.tag));
    return tags.stream().map(t -> Map.of("name", t)).toList();
  }

  /** Suppliers answer GET; every other function POST. */
  static String method(Class<?> bean) {
    return Supplier.class.isAssignableFrom(bean) ? "get" : "post";
  }

  /** The payload type of a function bean's input message. */
  static Type input(Class<?> bean) {
    return ResolvableType.forClass(bean).as(Function.class).getGeneric(0).getGeneric(0).getType();
  }

  private static Map<String, Object> operation(Entry entry, Class<?> bean, Schemas schemas) {
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("operationId", entry.name);
    op.put("tags", List.of(entry.tag));
    op.put("summary", entry.summary + (entry.caller == Caller.ADMIN ? " (administrators)" : ""));
    // who may call it: scripts/dev's generated run picks the administrators' functions by it
    op.put("x-vmsaga-caller", entry.caller.name().toLowerCase(Locale.ROOT));
    if (entry.caller == Caller.ANYONE) {
      op.put("security", List.of());
    }
    if (Function.class.isAssignableFrom(bean)) {
      op.put(
          "requestBody",
          obj(
              "required",
              true,
              "content",
              Map.of("application/json", Map.of("schema", schemas.request(input(bean))))));
    }
    Map<String, Object> responses = new TreeMap<>();
    entry.answers.forEach(
        (status, body) ->
            responses.put(
                String.valueOf(status), json(answerDescription(status), body(body, schemas))));
    entry.refusals.forEach(
        (status, refusal) ->
            responses.put(
                String.valueOf(status),
                json(refusalDescription(refusal), refusal(refusal, schemas))));
    op.put("responses", responses);
    return op;
  }

  private static String answerDescription(int status) {
    return switch (status) {
      case 200 -> "done";
      case 201 -> "created";
      case 202 -> "submitted: its saga is still under way";
      case 503 -> "down";
      default -> "answer";
    };
  }

  private static String refusalDescription(Refusal refusal) {
    String codes = String.join(", ", refusal.codes);
    return refusal.openNote == null ? codes : codes + "; " + refusal.openNote;
  }

  private static Map<String, Object> json(String description, Map<String, Object> schema) {
    return obj(
        "description",
        description,
        "content",
        Map.of("application/json", Map.of("schema", schema)));
  }

  private static Map<String, Object> body(Object body, Schemas schemas) {
    return switch (body) {
      case Fields f -> {
        Map<String, Object> properties = new LinkedHashMap<>();
        f.fields().forEach((name, type) -> properties.put(name, schemas.response(type)));
        yield object(properties, new ArrayList<>(f.fields().keySet()));
      }
      case AnyOf any -> Map.of("anyOf", any.types().stream().map(schemas::response).toList());
      case Type type -> schemas.response(type);
      default -> throw new IllegalArgumentException("no body " + body);
    };
  }

  /** The one error body, its code one of the refusal's (or any string, for a saga's failure). */
  private static Map<String, Object> refusal(Refusal refusal, Schemas schemas) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put(
        "code",
        refusal.openNote == null
            ? obj("type", "string", "enum", List.copyOf(refusal.codes))
            : obj("type", "string", "examples", List.copyOf(refusal.codes)));
    properties.put("message", Map.of("type", "string"));
    refusal.extra.forEach((name, type) -> properties.put(name, schemas.responseProperty(type)));
    Map<String, Object> schema = object(properties, List.of("code", "message"));
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("allOf", List.of(schemas.response(Replies.Error.class)));
    all.putAll(schema);
    return all;
  }

  /** A JSON object with its keys in this order (Map.of's order changes from run to run). */
  static Map<String, Object> obj(Object... keyThenValue) {
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < keyThenValue.length; i += 2) {
      object.put((String) keyThenValue[i], keyThenValue[i + 1]);
    }
    return object;
  }

  private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", "object");
    schema.put("properties", properties);
    schema.put("required", required);
    return schema;
  }
}
