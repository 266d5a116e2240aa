package io.vmsaga.functions.evacuation;

import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** The rows an evacuation changes besides the moves' own: the node, its lost VMs. */
@Mapper
public interface EvacuationRecords {
  /** The node takes no VM any more, even once back, until undrainNode. */
  @Update(
      "UPDATE node SET status = 'evacuated' WHERE id = #{nodeId} AND status IN ('active', 'draining', 'drained')")
  int markEvacuated(String nodeId);

  @Select("SELECT id FROM vm WHERE node_id = #{nodeId} AND state <> 'lost' ORDER BY id")
  List<String> vmsOn(String nodeId);

  /** Only as it was read: a VM a saga took since is left to that saga. */
  @Update(
      "UPDATE vm SET state = 'lost', lost_reason = #{reason}, owner_gid = NULL"
          + " WHERE id = #{vmId} AND owner_gid <=> #{ownerGid} AND state = #{state}")
  int markLost(
      @Param("vmId") String vmId,
      @Param("reason") String reason,
      @Param("ownerGid") String ownerGid,
      @Param("state") String state);

  /** A lost VM's reservations stop counting on the dead node; they still count for its tenant. */
  @Update("UPDATE reservation SET state = 'lost' WHERE vm_id = #{vmId} AND node_id = #{nodeId}")
  void loseReservations(@Param("vmId") String vmId, @Param("nodeId") String nodeId);

  record Held(int vcpus, int memoryMib) {}

  /** What the VM's reservations still hold on the node. */
  @Select(
      "SELECT COALESCE(SUM(vcpus), 0) AS vcpus, COALESCE(SUM(memory_mib), 0) AS memory_mib"
          + " FROM reservation WHERE vm_id = #{vmId} AND node_id = #{nodeId} AND state <> 'lost'")
  Held heldOn(@Param("vmId") String vmId, @Param("nodeId") String nodeId);

  @Select("SELECT auto_evacuate FROM node WHERE id = #{nodeId}")
  Boolean autoEvacuate(String nodeId);
}
