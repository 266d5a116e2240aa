package io.vmsaga.functions.core;

import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/**
 * Quota and capacity counters. Every change locks the tenant row, then the node row (always in that
 * order, so concurrent sagas cannot deadlock) and moves the counters in the same local transaction
 * as the reservation row, so the counters always equal the sum of the reservations.
 */
@Mapper
public interface CapacityMapper {
  record TenantQuota(
      String id,
      int maxVms,
      int maxVcpus,
      int maxMemoryMib,
      int maxDiskGib,
      int usedVms,
      int usedVcpus,
      int usedMemoryMib,
      int usedDiskGib) {
    /** Room for one more VM of this size. */
    public boolean fits(int vcpus, int memoryMib, int diskGib) {
      return usedVms + 1 <= maxVms && fitsMore(vcpus, memoryMib, diskGib);
    }

    /** Room for this much more in VMs the tenant already has. */
    public boolean fitsMore(int vcpus, int memoryMib, int diskGib) {
      return usedVcpus + vcpus <= maxVcpus
          && usedMemoryMib + memoryMib <= maxMemoryMib
          && usedDiskGib + diskGib <= maxDiskGib;
    }
  }

  record NodeCapacity(
      String id,
      String status,
      String health,
      int missedPolls,
      String lastContactAt,
      int cpus,
      int memoryMib,
      double cpuOvercommit,
      double memoryOvercommit,
      int committedVcpus,
      int committedMemoryMib) {
    public double freeVcpus() {
      return cpus * cpuOvercommit - committedVcpus;
    }

    public double freeMemoryMib() {
      return memoryMib * memoryOvercommit - committedMemoryMib;
    }

    public boolean fits(int vcpus, int memoryMib) {
      return "active".equals(status) && freeVcpus() >= vcpus && freeMemoryMib() >= memoryMib;
    }
  }

  /**
   * What one saga holds for one VM. {@code vmCount} is 1 for a VM's own row and 0 for a disk's
   * growth; a {@code placing} row (a create's claim on its node, before its saga holds the quota)
   * and a {@code migrating} row (a migration target's) move the node's commitment only, an {@code
   * assigning} row (the target tenant's share while a VM changes owner) and a {@code lost} row (a
   * VM whose local disk died with its node: its node's share was given back) the tenant's only.
   */
  record Reservation(
      String id,
      String vmId,
      String tenantId,
      String nodeId,
      int vcpus,
      int memoryMib,
      int diskGib,
      int vmCount,
      String state) {
    public Reservation(
        String id,
        String vmId,
        String tenantId,
        String nodeId,
        int vcpus,
        int memoryMib,
        int diskGib,
        String state) {
      this(id, vmId, tenantId, nodeId, vcpus, memoryMib, diskGib, 1, state);
    }

    boolean movesTenant() {
      return !state.equals("migrating") && !state.equals("placing");
    }

    boolean movesNode() {
      return !state.equals("assigning") && !state.equals("lost");
    }
  }

  @Select(
      "SELECT id, max_vms, max_vcpus, max_memory_mib, max_disk_gib, used_vms, used_vcpus, used_memory_mib,"
          + " used_disk_gib FROM tenant WHERE id = #{id} FOR UPDATE")
  TenantQuota lockTenant(String id);

  @Select(
      "SELECT id, status, health, missed_polls, NULL AS last_contact_at, cpus, memory_mib,"
          + " cpu_overcommit, memory_overcommit, committed_vcpus, committed_memory_mib FROM node"
          + " WHERE id = #{id} FOR UPDATE")
  NodeCapacity lockNode(String id);

  @Select(
      "SELECT id, status, health, missed_polls,"
          + " DATE_FORMAT(last_contact_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS last_contact_at, cpus,"
          + " memory_mib, cpu_overcommit, memory_overcommit, committed_vcpus, committed_memory_mib"
          + " FROM node ORDER BY id")
  java.util.List<NodeCapacity> nodes();

  /** One node as {@link #nodes} has it; null for an unknown id. */
  @Select(
      "SELECT id, status, health, missed_polls,"
          + " DATE_FORMAT(last_contact_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS last_contact_at, cpus,"
          + " memory_mib, cpu_overcommit, memory_overcommit, committed_vcpus, committed_memory_mib"
          + " FROM node WHERE id = #{id}")
  NodeCapacity node(String id);

  /**
   * The nodes that take VMs (active, not down), their rows locked in id order: where a placement is
   * decided.
   */
  @Select(
      "SELECT id, status, health, missed_polls, NULL AS last_contact_at, cpus, memory_mib,"
          + " cpu_overcommit, memory_overcommit, committed_vcpus, committed_memory_mib FROM node"
          + " WHERE status = 'active' AND health <> 'down'"
          + " ORDER BY id FOR UPDATE")
  java.util.List<NodeCapacity> lockActiveNodes();

  /** A create's claim becomes its hold, now that the tenant's share is held too. */
  @Update(
      "UPDATE reservation SET state = 'held', disk_gib = #{diskGib} WHERE id = #{id}"
          + " AND state = 'placing'")
  int claimToHold(@Param("id") String id, @Param("diskGib") int diskGib);

  @Insert(
      "INSERT INTO reservation (id, gid, vm_id, tenant_id, node_id, vcpus, memory_mib, disk_gib, vm_count,"
          + " state, expires_at) VALUES (#{r.id}, #{gid}, #{r.vmId}, #{r.tenantId}, #{r.nodeId}, #{r.vcpus},"
          + " #{r.memoryMib}, #{r.diskGib}, #{r.vmCount}, #{r.state}, "
          + "CURRENT_TIMESTAMP(3) + INTERVAL #{holdSeconds} SECOND)")
  void hold(
      @Param("r") Reservation reservation,
      @Param("gid") String gid,
      @Param("holdSeconds") long holdSeconds);

  /**
   * Holds a reservation that counts against its tenant only (a disk's GiB, an assignment's share),
   * its id the saga's gid, and moves the tenant's counters by it. The caller locked the tenant.
   */
  default void holdTenantShare(Reservation r, long holdSeconds) {
    hold(r, r.id(), holdSeconds);
    moveTenantUsage(r.tenantId(), r.vmCount(), r.vcpus(), r.memoryMib(), r.diskGib());
  }

  record Expired(String id, String gid, String vmId) {}

  /**
   * Holds past their expiry: a create's ({@code held}) or a migration target's ({@code migrating}).
   */
  @Select(
      "SELECT id, gid, vm_id FROM reservation WHERE state IN ('placing', 'held', 'migrating', 'assigning') "
          + "AND expires_at < CURRENT_TIMESTAMP(3) ORDER BY expires_at")
  java.util.List<Expired> expiredHolds();

  /**
   * The second reservation a migrating VM holds, on its target: it moves node commitment, never
   * tenant usage.
   */
  @Insert(
      "INSERT INTO reservation (id, gid, vm_id, tenant_id, node_id, vcpus, memory_mib, state, expires_at) "
          + "VALUES (#{r.id}, #{gid}, #{r.vmId}, #{r.tenantId}, #{r.nodeId}, #{r.vcpus}, #{r.memoryMib}, 'migrating', "
          + "CURRENT_TIMESTAMP(3) + INTERVAL #{holdSeconds} SECOND)")
  void holdMigrationTarget(
      @Param("r") Reservation reservation,
      @Param("gid") String gid,
      @Param("holdSeconds") long holdSeconds);

  /** A migration target's hold becomes the VM's, with the disk GiB the source's rows held. */
  @Update(
      "UPDATE reservation SET state = 'committed', disk_gib = #{diskGib} WHERE id = #{id}"
          + " AND state = 'migrating'")
  void commitMigrationTarget(@Param("id") String id, @Param("diskGib") int diskGib);

  @Select(
      "SELECT id, vm_id, tenant_id, node_id, vcpus, memory_mib, disk_gib, vm_count, state FROM reservation"
          + " WHERE vm_id = #{vmId}")
  java.util.List<Reservation> reservationsOf(String vmId);

  @Select(
      "SELECT id, vm_id, tenant_id, node_id, vcpus, memory_mib, disk_gib, vm_count, state FROM reservation"
          + " WHERE vm_id = #{vmId} FOR UPDATE")
  java.util.List<Reservation> lockReservationsOf(String vmId);

  /**
   * Gives back what the VM's reservations that {@code which} selects hold, and deletes them: node
   * commitment unless it is an assignment's hold, tenant usage unless it is a migration target's
   * hold (see {@link Reservation}). Locks tenant, node, then reservation rows, the order every
   * change here takes. Answers what it released.
   */
  default java.util.List<Reservation> release(
      String vmId, java.util.function.Predicate<Reservation> which) {
    var seen = reservationsOf(vmId).stream().filter(which).toList();
    seen.stream().map(Reservation::tenantId).sorted().distinct().forEach(this::lockTenant);
    seen.stream().map(Reservation::nodeId).sorted().distinct().forEach(this::lockNode);
    var held = lockReservationsOf(vmId).stream().filter(which).toList();
    for (var r : held) {
      if (r.movesTenant()) {
        moveTenantUsage(r.tenantId(), -r.vmCount(), -r.vcpus(), -r.memoryMib(), -r.diskGib());
      }
      if (r.movesNode()) {
        moveNodeCommitment(r.nodeId(), -r.vcpus(), -r.memoryMib());
      }
      delete(r.id());
    }
    return held;
  }

  @Update("UPDATE reservation SET state = 'committed' WHERE vm_id = #{vmId} AND state = 'held'")
  void commit(String vmId);

  /**
   * Grows a live VM's commitment, for hot-plug: quota and node counters move by the same amounts.
   */
  @Update(
      "UPDATE reservation SET vcpus = vcpus + #{vcpus}, memory_mib = memory_mib + #{memoryMib} "
          + "WHERE vm_id = #{vmId} AND state = 'committed'")
  int grow(String vmId, int vcpus, int memoryMib);

  @Delete("DELETE FROM reservation WHERE id = #{id}")
  void delete(String id);

  /** Moves the tenant's usage by these (signed) amounts. */
  @Update(
      "UPDATE tenant SET used_vms = used_vms + #{vms}, used_vcpus = used_vcpus + #{vcpus}, "
          + "used_memory_mib = used_memory_mib + #{memoryMib}, used_disk_gib = used_disk_gib + #{diskGib}"
          + " WHERE id = #{tenantId}")
  void moveTenantUsage(String tenantId, int vms, int vcpus, int memoryMib, int diskGib);

  /** Moves the node's commitment by these (signed) amounts. */
  @Update(
      "UPDATE node SET committed_vcpus = committed_vcpus + #{vcpus}, "
          + "committed_memory_mib = committed_memory_mib + #{memoryMib} WHERE id = #{nodeId}")
  void moveNodeCommitment(String nodeId, int vcpus, int memoryMib);
}
