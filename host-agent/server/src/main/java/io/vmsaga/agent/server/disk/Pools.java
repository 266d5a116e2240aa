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
  private final long capacityGib;

  public Pools(Path local, Path shared, long capacityGib) {
    this.dirs = Map.of("local", local, "shared", shared);
    this.capacityGib = capacityGib;
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
