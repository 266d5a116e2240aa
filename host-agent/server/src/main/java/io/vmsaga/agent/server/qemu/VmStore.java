package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.VmConfig;
import io.vmsaga.agent.server.os.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Where a VM's files live: {@code vms/<id>/} under the state dir holds config, pidfile and logs;
 * QMP sockets sit in the run dir, kept short because a unix socket path is limited to 107 bytes.
 */
final class VmStore {
  /** run dir + "/" + 63-char id + ".sock" must fit in sun_path. */
  static final int MAX_RUN_DIR_LENGTH = 107 - 1 - 63 - 5;

  private static final ObjectMapper JSON = AgentJson.lenient();
  private final Path vms;
  private final Path sockets;
  private final Map<String, VmConfig> configs = new ConcurrentHashMap<>();

  VmStore(Path stateDir, Path runDir) throws IOException {
    if (runDir.toString().length() > MAX_RUN_DIR_LENGTH) {
      throw new IllegalArgumentException(
          "--run-dir must be at most " + MAX_RUN_DIR_LENGTH + " characters");
    }
    this.vms = Files.createDirectories(stateDir.resolve("vms"));
    this.sockets = Files.createDirectories(runDir);
  }

  Path dir(String vmId) {
    return vms.resolve(vmId);
  }

  Path socket(String vmId) {
    return sockets.resolve(vmId + ".sock");
  }

  /** Which tap each of the running QEMU's tun files was seen attached to ({@link NicTaps}). */
  Path tapFds(String vmId) {
    return sockets.resolve(vmId + ".taps");
  }

  Path pidfile(String vmId) {
    return dir(vmId).resolve("qemu.pid");
  }

  Path serialLog(String vmId) {
    return dir(vmId).resolve("serial.log");
  }

  /** The NoCloud seed ISO of {@code PUT /v1/vms/{vm_id}/cidata}. */
  Path cidata(String vmId) {
    return dir(vmId).resolve("cidata.iso");
  }

  Path qemuLog(String vmId) {
    return dir(vmId).resolve("qemu.log");
  }

  /**
   * The VM's config, parsed once: this store is its only writer, and every check of a tap, MAC or
   * disk against the node's other VMs reads all of their configs, so parsing each file on each read
   * made such calls cost a millisecond per ten VMs.
   */
  Optional<VmConfig> read(String vmId) {
    return Optional.ofNullable(configs.computeIfAbsent(vmId, this::load));
  }

  /**
   * The config as the file holds it, lists unmodifiable (the parsed copy is shared); null if none.
   */
  private VmConfig load(String vmId) {
    Path file = dir(vmId).resolve("config.json");
    if (!Files.exists(file)) {
      return null;
    }
    try {
      VmConfig config = JSON.readValue(file.toFile(), VmConfig.class);
      // Written before disks and NICs had slots: the slots its QEMU was started with are the list
      // order (and a NIC's id follows from its slot).
      if (config.disks() != null) {
        config = config.withDisks(List.copyOf(VmConfigValidator.withSlots(config.disks())));
      }
      if (config.nics() != null) {
        config = config.withNics(List.copyOf(VmConfigValidator.nicDefaults(config.nics())));
      }
      return config;
    } catch (JacksonException e) {
      throw new IllegalStateException("unreadable VM config " + file, e);
    }
  }

  void write(String vmId, VmConfig config) {
    try {
      Files.createDirectories(dir(vmId));
      AtomicFiles.write(
          dir(vmId).resolve("config.json"),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      // after the file, so a read under way cannot put the old config back; the next read parses
      // what was written
      configs.remove(vmId);
    }
  }

  void delete(String vmId) {
    try {
      Files.deleteIfExists(socket(vmId));
      Files.deleteIfExists(tapFds(vmId));
      AtomicFiles.deleteTree(dir(vmId));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      configs.remove(vmId);
    }
  }

  /** VM ids that have a config; folders the agent did not write (wrong names) are ignored. */
  List<String> ids() {
    try (Stream<Path> dirs = Files.list(vms)) {
      return dirs.map(d -> d.getFileName().toString())
          .filter(
              id ->
                  id.matches("[a-z0-9][a-z0-9-]{0,62}")
                      && Files.exists(dir(id).resolve("config.json")))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Optional<Long> pid(String vmId) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidfile(vmId)).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
