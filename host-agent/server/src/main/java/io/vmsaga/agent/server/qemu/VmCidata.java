package io.vmsaga.agent.server.qemu;

import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.CidataInfo;
import io.vmsaga.agent.api.CidataSpec;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Outcome;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.Exec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * A VM's NoCloud seed ({@code cidata.iso} in its folder, built by {@code genisoimage}) and its
 * serial console. The ISO may exist before the VM is defined, since a config with {@code cidata:
 * true} is refused without it.
 */
public final class VmCidata {
  static final int MAX_USER_DATA = 64 * 1024;
  static final int MAX_OTHER = 16 * 1024;
  static final int DEFAULT_TAIL_BYTES = 16 * 1024;
  static final int MAX_TAIL_BYTES = 1 << 20;
  private static final String GENISOIMAGE = "genisoimage";
  private static final Duration GENISOIMAGE_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = AgentJson.lenient();

  private final VmSupervisor vms;

  public VmCidata(VmSupervisor vms) {
    this.vms = vms;
  }

  /**
   * Builds the ISO (files {@code meta-data}, {@code user-data}, {@code network-config} when given)
   * into a temp file and renames it into place; the same content again is 200 and builds nothing.
   * Other content replaces it unless the VM runs (409).
   */
  public Outcome<CidataInfo> put(String vmId, CidataSpec spec) {
    CidataSpec content = validate(spec);
    return vms.locked(
        vmId,
        () -> {
          Path iso = vms.store.cidata(vmId);
          Path record = vms.store.dir(vmId).resolve("cidata.json");
          boolean exists = Files.exists(iso);
          if (exists && readRecord(record).map(content::equals).orElse(false)) {
            return Outcome.existing(info(vmId));
          }
          if (vms.live(vmId).isPresent()) {
            throw ApiException.conflict("VM is running; stop it before changing its cidata");
          }
          requireTool();
          build(vmId, content, iso, record);
          return new Outcome<>(info(vmId), !exists);
        });
  }

  public CidataInfo get(String vmId) {
    if (!Files.exists(vms.store.cidata(vmId))) {
      throw ApiException.notFound("no cidata for this VM");
    }
    return info(vmId);
  }

  /** Removes the ISO; 409 while QEMU of that VM runs (a restart would miss it). */
  public void delete(String vmId) {
    vms.locked(
        vmId,
        () -> {
          if (!Files.exists(vms.store.cidata(vmId))) {
            return;
          }
          if (vms.live(vmId).isPresent()) {
            throw ApiException.conflict("VM is running with its cidata; stop it first");
          }
          try {
            Files.deleteIfExists(vms.store.dir(vmId).resolve("cidata.json"));
            Files.deleteIfExists(vms.store.cidata(vmId));
            // A folder holding nothing but what we removed is ours to remove as well.
            try (Stream<Path> left = Files.list(vms.store.dir(vmId))) {
              if (left.findAny().isEmpty()) {
                Files.deleteIfExists(vms.store.dir(vmId));
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** The last {@code tailBytes} of the serial log; empty before the first start. */
  public String console(String vmId, Optional<String> tailBytes) {
    long tail = DEFAULT_TAIL_BYTES;
    if (tailBytes.isPresent()) {
      if (!tailBytes.get().matches("[0-9]{1,8}")) {
        throw ApiException.invalid("tail_bytes must be 1.." + MAX_TAIL_BYTES);
      }
      tail = Long.parseLong(tailBytes.get());
      if (tail < 1 || tail > MAX_TAIL_BYTES) {
        throw ApiException.invalid("tail_bytes must be 1.." + MAX_TAIL_BYTES);
      }
    }
    vms.requireConfig(vmId);
    Path log = vms.store.serialLog(vmId);
    if (!Files.exists(log)) {
      return "";
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      long start = Math.max(0, length - tail);
      byte[] bytes = new byte[(int) (length - start)];
      file.seek(start);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CidataSpec validate(CidataSpec spec) {
    if (spec.metaData() == null) {
      throw ApiException.invalid("meta_data is required");
    }
    bound("meta_data", spec.metaData(), MAX_OTHER);
    bound("user_data", spec.userData(), MAX_USER_DATA);
    bound("network_config", spec.networkConfig(), MAX_OTHER);
    return spec;
  }

  private static void bound(String what, String value, int maxBytes) {
    if (value != null && value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      throw ApiException.invalid(what + " must be at most " + maxBytes / 1024 + " KiB");
    }
  }

  private static void requireTool() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    boolean found =
        Stream.of(path.split(":"))
            .filter(d -> !d.isEmpty())
            .anyMatch(d -> Files.isExecutable(Path.of(d, GENISOIMAGE)));
    if (!found) {
      throw ApiException.unavailable(GENISOIMAGE + " is not installed on this node");
    }
  }

  private void build(String vmId, CidataSpec content, Path iso, Path record) {
    Path dir = vms.store.dir(vmId);
    Path seed = dir.resolve(".cidata-" + UUID.randomUUID());
    Path temp = dir.resolve(".cidata-" + UUID.randomUUID() + ".iso");
    try {
      Files.createDirectories(seed);
      Files.writeString(seed.resolve("meta-data"), content.metaData());
      Files.writeString(
          seed.resolve("user-data"), content.userData() == null ? "" : content.userData());
      if (content.networkConfig() != null) {
        Files.writeString(seed.resolve("network-config"), content.networkConfig());
      }
      Exec.run(
          GENISOIMAGE_TIMEOUT,
          List.of(
              GENISOIMAGE,
              "-quiet",
              "-V",
              "cidata",
              "-J",
              "-r",
              "-o",
              temp.toString(),
              seed.toString()));
      AtomicFiles.write(record, JSON.writeValueAsBytes(content));
      Files.move(temp, iso, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        AtomicFiles.deleteTree(seed);
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // hidden leftovers in the VM's folder go with the VM
      }
    }
  }

  private static Optional<CidataSpec> readRecord(Path record) {
    try {
      return Files.exists(record)
          ? Optional.of(JSON.readValue(record.toFile(), CidataSpec.class))
          : Optional.empty();
    } catch (JacksonException e) {
      return Optional.empty();
    }
  }

  private CidataInfo info(String vmId) {
    Path iso = vms.store.cidata(vmId);
    try {
      return new CidataInfo(vmId, iso.toString(), Files.size(iso));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
