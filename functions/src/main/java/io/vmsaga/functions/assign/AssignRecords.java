package io.vmsaga.functions.assign;

import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Update;

/** The rows an assignment moves from one tenant to the other. */
@Mapper
public interface AssignRecords {
  @Update(
      "UPDATE vm SET tenant_id = #{to} WHERE id = #{vmId} AND tenant_id = #{from}"
          + " AND owner_gid = #{gid}")
  int setTenant(
      @Param("vmId") String vmId,
      @Param("from") String from,
      @Param("to") String to,
      @Param("gid") String gid);

  @Delete("DELETE FROM nic WHERE id = #{nicId} AND vm_id = #{vmId}")
  int deleteNic(@Param("vmId") String vmId, @Param("nicId") String nicId);

  /** The VM's own reservations move to the new tenant (their amounts moved by the caller). */
  @Update(
      "UPDATE reservation SET tenant_id = #{to} WHERE vm_id = #{vmId} AND tenant_id = #{from}"
          + " AND state = 'committed'")
  int retenant(@Param("vmId") String vmId, @Param("from") String from, @Param("to") String to);

  /** The new tenant's hold is replaced by the rows just moved to it: its counters stay. */
  @Delete("DELETE FROM reservation WHERE id = #{id} AND state = 'assigning'")
  int dropHold(String id);
}
