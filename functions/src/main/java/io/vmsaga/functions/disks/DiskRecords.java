package io.vmsaga.functions.disks;

import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Update;

/** The disk rows the disk sagas change. */
@Mapper
public interface DiskRecords {
  @Update("UPDATE disk SET size_gib = #{sizeGib} WHERE id = #{diskId} AND vm_id = #{vmId}")
  int setSize(
      @Param("vmId") String vmId, @Param("diskId") String diskId, @Param("sizeGib") int sizeGib);

  @Update("UPDATE disk SET attached = #{attached} WHERE id = #{diskId} AND vm_id = #{vmId}")
  int setAttached(
      @Param("vmId") String vmId,
      @Param("diskId") String diskId,
      @Param("attached") boolean attached);

  @Delete("DELETE FROM disk WHERE id = #{diskId} AND vm_id = #{vmId}")
  int delete(@Param("vmId") String vmId, @Param("diskId") String diskId);

  /**
   * Takes a deleted disk's GiB off what the VM holds: from the one reservation that holds the most
   * (a create's holds its disks together, an attach's its one disk), so the rows still add up to
   * the tenant's counter that the caller moves by the same amount.
   */
  @Update(
      "UPDATE reservation SET disk_gib = disk_gib - #{gib} WHERE vm_id = #{vmId}"
          + " AND state = 'committed' AND disk_gib >= #{gib} ORDER BY disk_gib DESC LIMIT 1")
  int shrinkHeld(@Param("vmId") String vmId, @Param("gib") int gib);

  /** A disk's own hold once its disk is gone: nothing left to count. */
  @Delete(
      "DELETE FROM reservation WHERE vm_id = #{vmId} AND vm_count = 0 AND vcpus = 0"
          + " AND memory_mib = 0 AND disk_gib = 0 AND state = 'committed'")
  int deleteEmptyHolds(String vmId);

  /** A disk's growth becomes part of what the VM holds for good. */
  @Update("UPDATE reservation SET state = 'committed' WHERE id = #{id} AND state = 'held'")
  int commit(String id);
}
