package io.vmsaga.agent.server.qmp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The QMP commands the agent sends, each typed by what its {@code return} holds (QEMU 7.2 schema).
 */
public final class Qmp {
  private Qmp() {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record StatusInfo(String status, boolean running) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record HotpluggableCpu(String type, Map<String, Long> props, String qomPath) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record CpuFast(int cpuIndex, String qomPath, long threadId, Map<String, Long> props) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record MemoryDeviceInfo(String type, MemoryDeviceData data) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record MemoryDeviceData(
      String id, long size, int slot, String memdev, boolean hotplugged) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record MigrateInfo(
      String status, MigrateRam ram, Long downtime, Long totalTime, Long setupTime) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record MigrateRam(Long total, Long transferred, Long remaining, Double mbps) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record MigrationCapability(String capability, boolean state) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record MigrateParameters(Long downtimeLimit, Long maxBandwidth) {}

  /** One child of a QOM path; {@code type} is {@code child<virtio-blk-pci>} for a device. */
  public record QomProperty(String name, String type) {}

  /** A block node of {@code query-named-block-nodes}; {@code file} is the image's file name. */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record BlockNode(String nodeName, String drv, String file) {}

  /** One bus of {@code query-pci}: the root bus, with bridges' buses nested in their devices. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record PciBus(long bus, List<PciDevice> devices) {}

  /** A device of {@code query-pci}; {@code pci_bridge} is set for a bridge (a root port). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record PciDevice(long bus, int slot, int function, String qdevId, PciBridge pciBridge) {}

  /** The devices behind a bridge (none listed while the firmware has not numbered its bus). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record PciBridge(List<PciDevice> devices) {}

  /** What {@code x-query-virtio-status} tells of a virtio device: here, what its driver took. */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record VirtioStatus(VirtioFeatures guestFeatures) {}

  /**
   * Feature bits as QEMU 7.2 names them, each {@code "VIRTIO_NET_F_MRG_RXBUF: description"}: those
   * of the transport ({@code VIRTIO_F_VERSION_1} …) and the device's own.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record VirtioFeatures(List<String> transports, List<String> devFeatures) {
    /** The feature names of both lists, without their descriptions. */
    public Set<String> names() {
      return Stream.of(transports, devFeatures)
          .filter(Objects::nonNull)
          .flatMap(List::stream)
          .map(f -> f.split(":", 2)[0].strip())
          .collect(Collectors.toSet());
    }
  }

  /**
   * One block backend of {@code query-blockstats}: {@code node-name} is its root node ({@code
   * disk<slot>} for a disk of the agent's), {@code qdev} the device's QOM path.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record BlockStats(String nodeName, String qdev, BlockDeviceStats stats) {}

  /** The backend's I/O counters since QEMU started (those the agent reports; QEMU has more). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record BlockDeviceStats(
      long rdBytes, long wrBytes, long rdOperations, long wrOperations) {}

  /** {@code query-balloon}: {@code actual} is the memory the guest has now, in bytes. */
  public record BalloonInfo(long actual) {}

  /** The QMP error class of {@code query-balloon} when the VM has no balloon device. */
  public static final String NO_BALLOON = "DeviceNotActive";

  public static QmpCommand<Void> capabilities() {
    return command("qmp_capabilities", Map.of());
  }

  public static QmpCommand<StatusInfo> queryStatus() {
    return command("query-status", Map.of(), new TypeReference<>() {});
  }

  public static QmpCommand<Void> stop() {
    return command("stop", Map.of());
  }

  public static QmpCommand<Void> cont() {
    return command("cont", Map.of());
  }

  public static QmpCommand<Void> systemReset() {
    return command("system_reset", Map.of());
  }

  public static QmpCommand<Void> systemPowerdown() {
    return command("system_powerdown", Map.of());
  }

  public static QmpCommand<Void> quit() {
    return command("quit", Map.of());
  }

  public static QmpCommand<List<HotpluggableCpu>> queryHotpluggableCpus() {
    return command("query-hotpluggable-cpus", Map.of(), new TypeReference<>() {});
  }

  public static QmpCommand<List<CpuFast>> queryCpusFast() {
    return command("query-cpus-fast", Map.of(), new TypeReference<>() {});
  }

  public static QmpCommand<List<MemoryDeviceInfo>> queryMemoryDevices() {
    return command("query-memory-devices", Map.of(), new TypeReference<>() {});
  }

  /**
   * {@code device_add}: the driver, the id and the device's own properties, all at the top level.
   */
  public static QmpCommand<Void> deviceAdd(Map<String, Object> device) {
    return command("device_add", device);
  }

  /** {@code device_del}: asks the guest to release the device; done at its DEVICE_DELETED. */
  public static QmpCommand<Void> deviceDel(String id) {
    return command("device_del", Map.of("id", id));
  }

  /** {@code qom-list}: the children of a QOM path ({@code /machine/peripheral}: devices by id). */
  public static QmpCommand<List<QomProperty>> qomList(String path) {
    return command("qom-list", Map.of("path", path), new TypeReference<>() {});
  }

  /** {@code netdev_add}: the backend's options (type, id, ifname …) at the top level. */
  public static QmpCommand<Void> netdevAdd(Map<String, Object> netdev) {
    return command("netdev_add", netdev);
  }

  public static QmpCommand<Void> netdevDel(String id) {
    return command("netdev_del", Map.of("id", id));
  }

  /**
   * {@code x-query-virtio-status} of the virtio device at a QOM path ({@code
   * /machine/peripheral/nic0/virtio-backend}); unstable by name, present since QEMU 7.2.
   */
  public static QmpCommand<VirtioStatus> virtioStatus(String qomPath) {
    return command("x-query-virtio-status", Map.of("path", qomPath), new TypeReference<>() {});
  }

  /** {@code query-pci}: the PCI tree as the guest (or its firmware) has numbered it. */
  public static QmpCommand<List<PciBus>> queryPci() {
    return command("query-pci", Map.of(), new TypeReference<>() {});
  }

  /** {@code blockdev-add}: the node's options (driver, node-name, file …) at the top level. */
  public static QmpCommand<Void> blockdevAdd(Map<String, Object> node) {
    return command("blockdev-add", node);
  }

  public static QmpCommand<Void> blockdevDel(String nodeName) {
    return command("blockdev-del", Map.of("node-name", nodeName));
  }

  /** Every block node, the implicit ones ({@code #block123}) included. */
  public static QmpCommand<List<BlockNode>> queryNamedBlockNodes() {
    return command("query-named-block-nodes", Map.of("flat", true), new TypeReference<>() {});
  }

  /** {@code query-blockstats}: I/O counters of every block backend (disks and the CD-ROM). */
  public static QmpCommand<List<BlockStats>> queryBlockstats() {
    return command("query-blockstats", Map.of(), new TypeReference<>() {});
  }

  /** {@code query-balloon}; refused with {@link #NO_BALLOON} when there is no balloon device. */
  public static QmpCommand<BalloonInfo> queryBalloon() {
    return command("query-balloon", Map.of(), new TypeReference<>() {});
  }

  public static QmpCommand<Void> memoryBackendAdd(String id, long sizeBytes) {
    return command(
        "object-add", Map.of("qom-type", "memory-backend-ram", "id", id, "size", sizeBytes));
  }

  public static QmpCommand<Void> objectDel(String id) {
    return command("object-del", Map.of("id", id));
  }

  public static QmpCommand<Void> blockResize(String nodeName, long sizeBytes) {
    return command("block_resize", Map.of("node-name", nodeName, "size", sizeBytes));
  }

  public static QmpCommand<Void> migrateSetCapabilities(Map<String, Boolean> capabilities) {
    List<Map<String, Object>> list =
        capabilities.entrySet().stream()
            .map(e -> Map.<String, Object>of("capability", e.getKey(), "state", e.getValue()))
            .toList();
    return command("migrate-set-capabilities", Map.of("capabilities", list));
  }

  public static QmpCommand<List<MigrationCapability>> queryMigrateCapabilities() {
    return command("query-migrate-capabilities", Map.of(), new TypeReference<>() {});
  }

  /**
   * {@code migrate-set-parameters} with only the given parameters ({@code downtime-limit}, {@code
   * max-bandwidth} …).
   */
  public static QmpCommand<Void> migrateSetParameters(Map<String, Object> parameters) {
    return command("migrate-set-parameters", new LinkedHashMap<>(parameters));
  }

  public static QmpCommand<MigrateParameters> queryMigrateParameters() {
    return command("query-migrate-parameters", Map.of(), new TypeReference<>() {});
  }

  public static QmpCommand<Void> migrate(String uri) {
    return command("migrate", Map.of("uri", uri));
  }

  public static QmpCommand<Void> migrateIncoming(String uri) {
    return command("migrate-incoming", Map.of("uri", uri));
  }

  public static QmpCommand<Void> migrateCancel() {
    return command("migrate_cancel", Map.of());
  }

  public static QmpCommand<MigrateInfo> queryMigrate() {
    return command("query-migrate", Map.of(), new TypeReference<>() {});
  }

  private static QmpCommand<Void> command(String name, Map<String, Object> arguments) {
    return new QmpCommand<>(name, arguments, new TypeReference<>() {});
  }

  private static <R> QmpCommand<R> command(
      String name, Map<String, Object> arguments, TypeReference<R> result) {
    return new QmpCommand<>(name, arguments, result);
  }
}
