package io.vmsaga.agent.server.qemu;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vmsaga.agent.api.AgentJson;
import io.vmsaga.agent.api.LeaseInfo;
import io.vmsaga.agent.api.LeaseSpec;
import io.vmsaga.agent.server.ApiException;
import io.vmsaga.agent.server.Ids;
import io.vmsaga.agent.server.os.AtomicFiles;
import io.vmsaga.agent.server.os.FileLocks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * The VMs' leases on the shared pool: {@code <shared>/leases/<vm_id>.json} names the one node that
 * may run the VM and the placement generation at which it took the lease. A node takes a lease only
 * at a greater generation than the file's, or at the same one it holds already, so of the nodes
 * asking at one generation exactly one wins. Read-compare-write is serialised per VM by the VM's
 * lock and, across the agents sharing the pool, by an exclusive lock on {@code leases/.lock}; a
 * reader needs neither, as every write is an atomic rename.
 */
public final class VmLeases {
  private static final ObjectMapper JSON = AgentJson.lenient();

  private final VmSupervisor vms;
  private final Path dir;
  private final String nodeId;

  public VmLeases(VmSupervisor vms, Path dir, String nodeId) {
    this.vms = vms;
    this.dir = dir;
    this.nodeId = nodeId;
  }

  /**
   * This node takes the lease at {@code spec.generation}; the same again answers the same. 409
   * {@code lease_newer} when the file is at a greater generation, or at this one for another node.
   * The VM need not be defined here: the control plane takes the lease before it defines the VM.
   */
  public LeaseInfo put(String vmId, LeaseSpec spec) {
    LeaseInfo lease =
        new LeaseInfo(
            vmId, nodeId, Ids.bounded("generation", spec.generation(), 1, Long.MAX_VALUE));
    return vms.locked(vmId, () -> exclusive(() -> take(lease)));
  }

  /** Read, compare, write; the caller holds the VM's lock and the lock file. */
  private LeaseInfo take(LeaseInfo lease) {
    Optional<LeaseInfo> held = read(lease.vmId());
    if (held.equals(Optional.of(lease))) {
      return lease;
    }
    if (held.isPresent() && held.get().generation() >= lease.generation()) {
      throw ApiException.of(
          HttpResponseStatus.CONFLICT,
          "lease_newer",
          "the lease is at generation "
              + held.get().generation()
              + " on node "
              + held.get().nodeId());
    }
    write(lease);
    return lease;
  }

  public LeaseInfo get(String vmId) {
    return read(vmId).orElseThrow(() -> ApiException.notFound("no lease for this VM"));
  }

  /**
   * Gives the lease up if this node holds it, at {@code generation} when given; otherwise nothing
   * happens. Success either way: it compensates a {@link #put}.
   */
  public void delete(String vmId, Optional<String> generation) {
    Optional<Long> at = generation.map(VmLeases::generation);
    vms.locked(vmId, () -> release(vmId, at));
  }

  /** 409 {@code fenced} when the lease names another node: the VM belongs there, not here. */
  void requireRunnableHere(String vmId) {
    elsewhere(vmId)
        .ifPresent(
            lease -> {
              throw ApiException.of(
                  HttpResponseStatus.CONFLICT,
                  "fenced",
                  "the VM is leased to node "
                      + lease.nodeId()
                      + " at generation "
                      + lease.generation());
            });
  }

  /** The VM's lease when it names another node. */
  Optional<LeaseInfo> elsewhere(String vmId) {
    return read(vmId).filter(lease -> !ours(lease));
  }

  /** Deletes the lease file if this node holds it (at {@code generation}, when given). */
  void release(String vmId, Optional<Long> generation) {
    Predicate<LeaseInfo> releasable =
        lease -> ours(lease) && generation.map(g -> g == lease.generation()).orElse(true);
    // Only this node makes a lease its own: one that is not ours now cannot become ours meanwhile,
    // so the lock is taken only for a lease that is.
    if (read(vmId).filter(releasable).isEmpty()) {
      return;
    }
    exclusive(
        () -> {
          if (read(vmId).filter(releasable).isPresent()) {
            delete(file(vmId));
          }
          return null;
        });
  }

  private boolean ours(LeaseInfo lease) {
    return lease.nodeId().equals(nodeId);
  }

  private static long generation(String value) {
    if (!value.matches("[0-9]{1,18}")) {
      throw ApiException.invalid("generation must be a number");
    }
    return Ids.bounded("generation", Long.parseLong(value), 1, Long.MAX_VALUE);
  }

  private <T> T exclusive(Supplier<T> work) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return FileLocks.exclusive(dir.resolve(".lock"), work);
  }

  private Path file(String vmId) {
    return dir.resolve(vmId + ".json");
  }

  private Optional<LeaseInfo> read(String vmId) {
    Path file = file(vmId);
    LeaseInfo lease;
    try {
      lease = JSON.readValue(Files.readAllBytes(file), LeaseInfo.class);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (JacksonException e) {
      throw new IllegalStateException("unreadable lease " + file, e);
    }
    if (lease == null || lease.nodeId() == null) {
      throw new IllegalStateException("lease " + file + " names no node");
    }
    return Optional.of(lease);
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(LeaseInfo lease) {
    try {
      AtomicFiles.write(file(lease.vmId()), JSON.writeValueAsBytes(lease));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
