package io.vmsaga.functions.core;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

@Mapper
public interface VmMapper {
  record VmRow(
      String id,
      String tenantId,
      String nodeId,
      String name,
      String state,
      int vcpus,
      int maxVcpus,
      int memoryMib,
      int maxMemoryMib,
      String ownerGid,
      String lastGid,
      String lastOutcome,
      String imageId,
      String hostname) {}

  record DiskRow(String id, String nodeId, String pool, int sizeGib, boolean attached) {}

  record NicRow(String id, String networkId, String mac, String tap, String address) {}

  @Insert(
      "INSERT INTO vm (id, tenant_id, node_id, name, state, vcpus, max_vcpus, memory_mib, max_memory_mib, owner_gid, last_gid, "
          + "image_id, hostname, root_pool) "
          + "VALUES (#{vm.vmId}, #{vm.tenantId}, #{vm.nodeId}, #{vm.name}, 'creating', #{vm.vcpus}, #{vm.maxVcpus}, "
          + "#{vm.memoryMib}, #{vm.maxMemoryMib}, #{gid}, #{gid}, #{vm.guest.imageId}, #{vm.guest.hostname}, #{vm.disk.pool})")
  void insertCreating(@Param("vm") VmPlan vm, @Param("gid") String gid);

  @Insert(
      "INSERT IGNORE INTO disk (id, vm_id, node_id, pool, size_gib, image_id) VALUES (#{d.diskId}, #{vmId}, "
          + "IF(#{d.pool} = 'shared', NULL, #{nodeId}), #{d.pool}, #{d.sizeGib}, #{imageId})")
  void insertDisk(
      @Param("vmId") String vmId,
      @Param("nodeId") String nodeId,
      @Param("d") VmPlan.Disk disk,
      @Param("imageId") String imageId);

  /**
   * Creates on their way to the node's cached copy of the image, besides this VM: the copy stays
   * for them (a disk already backed by it, the agent itself refuses to lose).
   */
  @Select(
      "SELECT COUNT(*) FROM vm WHERE image_id = #{imageId} AND node_id = #{nodeId} AND id <> #{vmId} "
          + "AND state = 'creating' AND root_pool = 'local'")
  int createsNeedingCachedImage(String imageId, String nodeId, String vmId);

  @Insert(
      "INSERT IGNORE INTO nic (id, vm_id, network_id, mac, tap) VALUES (#{n.nicId}, #{vmId}, #{n.networkId}, #{n.mac}, #{n.tap})")
  void insertNic(@Param("vmId") String vmId, @Param("n") VmPlan.Nic nic);

  /** Ends a saga's ownership of the VM, with its outcome. */
  @Update(
      "UPDATE vm SET state = #{state}, owner_gid = NULL, last_gid = #{gid}, last_outcome = #{outcome} "
          + "WHERE id = #{vmId} AND owner_gid = #{gid}")
  int settle(String vmId, String gid, String state, String outcome);

  /**
   * Takes the VM for a saga: only when no live saga owns it (a finished owner is passed as {@code
   * staleGid}).
   */
  @Update(
      "UPDATE vm SET owner_gid = #{gid}, state = #{state} WHERE id = #{vmId} AND tenant_id = #{tenantId} "
          + "AND (owner_gid IS NULL OR owner_gid = #{staleGid})")
  int claim(String vmId, String tenantId, String gid, String state, String staleGid);

  /** A direct operation's state change: only from the state it saw, and never under a saga. */
  @Update(
      "UPDATE vm SET state = #{to} WHERE id = #{vmId} AND state = #{from} AND owner_gid IS NULL")
  int moveState(String vmId, String from, String to);

  @Update("UPDATE vm SET vcpus = #{vcpus}, memory_mib = #{memoryMib} WHERE id = #{vmId}")
  void resize(String vmId, int vcpus, int memoryMib);

  @Delete("DELETE FROM disk WHERE vm_id = #{vmId}")
  void deleteDisks(String vmId);

  @Delete("DELETE FROM nic WHERE vm_id = #{vmId}")
  void deleteNics(String vmId);

  /**
   * Removes the VM this saga owns, or settled last and nobody took since: a create whose last step
   * committed but whose answer DTM never got is rolled back by its timeout all the same.
   */
  @Delete(
      "DELETE FROM vm WHERE id = #{vmId} AND (owner_gid = #{gid} OR (owner_gid IS NULL AND last_gid = #{gid}))")
  int deleteOwnedOrSettledBy(String vmId, String gid);

  /** Removes the row a create saga's first step inserted, as long as that saga still creates it. */
  @Delete("DELETE FROM vm WHERE id = #{vmId} AND owner_gid = #{gid} AND state = 'creating'")
  int deleteCreating(String vmId, String gid);

  @Select(
      "SELECT id, tenant_id, node_id, name, state, vcpus, max_vcpus, memory_mib, max_memory_mib, owner_gid, last_gid, last_outcome, "
          + "image_id, hostname "
          + "FROM vm WHERE id = #{vmId}")
  VmRow find(String vmId);

  /** How many VMs, in any state, are recorded on the node. */
  @Select("SELECT COUNT(*) FROM vm WHERE node_id = #{nodeId}")
  int countOnNode(String nodeId);

  /**
   * A page of a tenant's VMs after the key ({@code afterCreatedAt}, {@code afterId}), filtered by
   * state and node when given: an index range scan (vm_tenant_page), whatever the page's depth.
   */
  @Select({
    "<script>SELECT id, tenant_id, node_id, name, state, vcpus, max_vcpus, memory_mib,"
        + " max_memory_mib, owner_gid, last_gid, last_outcome, image_id, hostname"
        + " FROM vm WHERE tenant_id = #{tenantId}"
        + "<if test='state != null'> AND state = #{state}</if>"
        + "<if test='nodeId != null'> AND node_id = #{nodeId}</if>"
        + "<if test='afterId != null'> AND (created_at, id) &gt; (#{afterCreatedAt}, #{afterId})</if>"
        + " ORDER BY created_at, id LIMIT #{limit}</script>"
  })
  List<VmRow> page(
      @Param("tenantId") String tenantId,
      @Param("state") String state,
      @Param("nodeId") String nodeId,
      @Param("afterCreatedAt") String afterCreatedAt,
      @Param("afterId") String afterId,
      @Param("limit") int limit);

  /** A VM's creation time as a page key, to the microsecond. */
  @Select("SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') FROM vm WHERE id = #{vmId}")
  String createdAtOf(String vmId);

  @Select(
      "SELECT id, node_id, pool, size_gib, attached FROM disk WHERE vm_id = #{vmId} ORDER BY created_at, id")
  List<DiskRow> disksOf(String vmId);

  @Select(
      "SELECT n.id, n.network_id, n.mac, n.tap, a.address FROM nic n LEFT JOIN address a "
          + "ON a.vm_id = n.vm_id AND a.network_id = n.network_id WHERE n.vm_id = #{vmId} ORDER BY n.id")
  List<NicRow> nicsOf(String vmId);

  /** Why a VM is {@code lost} (its local disk died with its node); null for any other. */
  @Select("SELECT lost_reason FROM vm WHERE id = #{vmId}")
  String lostReasonOf(String vmId);

  /** {@code ok}, or {@code degraded} while the network reconciler cannot mend one of its NICs. */
  @Select("SELECT network_state FROM vm WHERE id = #{vmId}")
  String networkStateOf(String vmId);
}
