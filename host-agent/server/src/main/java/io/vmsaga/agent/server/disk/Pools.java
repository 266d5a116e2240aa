package io.vmsaga.agent.server.disk;

import io.vmsaga.agent.api.DiskSummary;
import io.vmsaga.agent.api.PoolInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The two disk pools ({@code local}, {@code shared}): where their qcow2 files live and how full
 * they are.
 */
public final class Pools {
  private static final Pattern DISK_FILE = Pattern.compile("([a-z0-9][a-z0-9-]{0,62})\\.qcow2");
  private static final long MIB = 1L << 20;

  private final Map<String, Path> dirs;
  private final Path images;
  private final Path cache;
  private final long capacityGib;

  /**
   * {@code images} holds the imported images (normally {@code <shared>/images}, so every node sees
   * them); the node's cached copies live in {@code <local>/images}.
   */
  public Pools(Path local, Path shared, Path images, long capacityGib) {
    this.dirs = Map.of("local", local, "shared", shared);
    this.images = images;
    this.cache = local.resolve("images");
    this.capacityGib = capacityGib;
  }

  public Path imageDir() {
    return images;
  }

  public Path cacheDir() {
    return cache;
  }

  /**
   * The VMs' lease files ({@code qemu.VmLeases}): in the shared pool, which every node sees, and a
   * folder, which the disk listings (qcow2 files only) never take for a disk.
   */
  public Path leaseDir() {
    return dirs.get("shared").resolve("leases");
  }

  /** An imported image; the id is validated by the router before it gets here. */
  public Path image(String imageId) {
    return images.resolve(imageId + ".qcow2");
  }

  /** The node's cached copy of an image, in the local pool. */
  public Path cachedImage(String imageId) {
    return cache.resolve(imageId + ".qcow2");
  }

  /**
   * The image id of a backing file, when it is an image of this agent's image pool or cache; a
   * backing file anywhere else is not one of ours.
   */
  public Optional<String> imageIdOf(Path backing) {
    Path dir = backing.getParent();
    var m = DISK_FILE.matcher(backing.getFileName().toString());
    if (!m.matches() || dir == null || !(dir.equals(images) || dir.equals(cache))) {
      return Optional.empty();
    }
    return Optional.of(m.group(1));
  }

  /** The backing file a disk's qcow2 header names, if any. */
  public Optional<Path> backingFile(Path disk) {
    try {
      return Qcow2.backingFile(disk).map(Path::of);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The disks ({@code pool/disk_id}) of both pools whose backing file is {@code image}. */
  public List<String> disksBackedBy(Path image) {
    List<String> users = new ArrayList<>();
    for (String pool : List.of("local", "shared")) {
      for (DiskSummary disk : disks(pool)) {
        if (backingFile(disk(pool, disk.diskId())).map(image::equals).orElse(false)) {
          users.add(pool + "/" + disk.diskId());
        }
      }
    }
    return users;
  }

  public Path dir(String pool) {
    return dirs.get(pool);
  }

  /** The file of a disk; pool and id are validated by the router before they get here. */
  public Path disk(String pool, String diskId) {
    return dirs.get(pool).resolve(diskId + ".qcow2");
  }

  public long capacityBytes() {
    return capacityGib << 30;
  }

  /** Sum of the virtual sizes of the pool's disks: what they may grow to, not what they use now. */
  public long usedBytes(String pool) {
    return disks(pool).stream().mapToLong(d -> d.sizeMib() * MIB).sum();
  }

  public List<PoolInfo> pools() {
    return Stream.of("local", "shared")
        .map(
            p ->
                new PoolInfo(
                    p, dirs.get(p).toString(), capacityGib, usedBytes(p) / (double) (1L << 30)))
        .toList();
  }

  public List<DiskSummary> disks() {
    List<DiskSummary> all = new ArrayList<>(disks("local"));
    all.addAll(disks("shared"));
    return all;
  }

  private List<DiskSummary> disks(String pool) {
    try (Stream<Path> files = Files.list(dirs.get(pool))) {
      List<DiskSummary> disks = new ArrayList<>();
      for (Path file : files.toList()) {
        var m = DISK_FILE.matcher(file.getFileName().toString());
        if (m.matches()) {
          try {
            disks.add(new DiskSummary(pool, m.group(1), Qcow2.read(file).virtualSize() / MIB));
          } catch (IOException e) {
            // deleted meanwhile, or not ours to judge: a foreign file is not a disk of this pool
          }
        }
      }
      return disks;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
