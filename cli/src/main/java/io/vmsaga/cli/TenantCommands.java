package io.vmsaga.cli;

import static io.vmsaga.cli.Output.col;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vmsaga tenant …}: tenants and their quotas (administrators; show is also a tenant's own).
 */
@Command(
    name = "tenant",
    description = "Tenants and quotas (administrators).",
    mixinStandardHelpOptions = true)
final class TenantCommands {
  @ParentCommand Vmsaga root;

  /** The limits, the same options for create and set-quota. */
  static final class Limits {
    @Option(names = "--max-vms")
    Integer maxVms;

    @Option(names = "--max-vcpus")
    Integer maxVcpus;

    @Option(names = "--max-memory", paramLabel = "MIB")
    Integer maxMemoryMib;

    @Option(names = "--max-disk", paramLabel = "GIB")
    Integer maxDiskGib;
  }

  @Command(
      description = "Create a tenant; its token is shown this once.",
      mixinStandardHelpOptions = true)
  int create(
      @Option(names = "--name", required = true) String name,
      @Option(names = "--id", paramLabel = "TENANTID") String tenantId,
      @Option(names = "--admin", description = "an administrator") Boolean isAdmin,
      @Mixin Limits limits) {
    root.output()
        .record(
            root.adminApi()
                .call(
                    "createTenant",
                    Api.body(
                        "name", name,
                        "tenantId", tenantId,
                        "isAdmin", isAdmin,
                        "maxVms", limits.maxVms,
                        "maxVcpus", limits.maxVcpus,
                        "maxMemoryMib", limits.maxMemoryMib,
                        "maxDiskGib", limits.maxDiskGib)));
    return Exit.OK;
  }

  @Command(
      name = "set-quota",
      description = "Change a tenant's limits.",
      mixinStandardHelpOptions = true)
  int setQuota(@Parameters(paramLabel = "TENANTID") String tenantId, @Mixin Limits limits) {
    root.output()
        .record(
            root.adminApi()
                .call(
                    "setQuota",
                    Api.body(
                        "tenantId", tenantId,
                        "maxVms", limits.maxVms,
                        "maxVcpus", limits.maxVcpus,
                        "maxMemoryMib", limits.maxMemoryMib,
                        "maxDiskGib", limits.maxDiskGib)));
    return Exit.OK;
  }

  @Command(
      description = "A tenant's limits and usage (without TENANTID: your own, with your token).",
      mixinStandardHelpOptions = true)
  int show(@Parameters(paramLabel = "TENANTID", arity = "0..1") String tenantId) {
    Api api = tenantId == null ? root.api() : root.adminApi();
    root.output().record(api.call("getTenant", Api.body("tenantId", tenantId)));
    return Exit.OK;
  }

  @Command(description = "Every tenant.", mixinStandardHelpOptions = true)
  int list() {
    root.output()
        .list(
            root.adminApi().call("listTenants", Api.body()),
            "tenants",
            col("ID", "tenantId"),
            col("NAME", "name"),
            col("ADMIN", "isAdmin"),
            col("VMS", "usage.vms"),
            col("MAX_VMS", "quota.maxVms"));
    return Exit.OK;
  }
}
