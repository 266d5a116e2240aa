package io.vmsaga.functions.disks;

import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Update;

/** The disk rows the disk sagas change. */
@Mapper
public interface DiskRecords {
  @Update("UPDATE disk SET size_gib = #{sizeGib} WHERE id = #{diskId} AND vm_id = #{vmId}")
  int setSize(
      @Param("vmId") String vmId, @Param("diskId") String diskId, @Param("sizeGib") int sizeGib);

  /** A disk's growth becomes part of what the VM holds for good. */
  @Update("UPDATE reservation SET state = 'committed' WHERE id = #{id} AND state = 'held'")
  int commit(String id);
}
