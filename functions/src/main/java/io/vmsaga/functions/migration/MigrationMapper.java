package io.vmsaga.functions.migration;

import io.vmsaga.functions.core.MigrationRecords;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/**
 * Writes to the {@code migration} table (V003) and the VM metadata a move switches to its target.
 */
@Mapper
public interface MigrationMapper extends MigrationRecords {
  @Insert(
      "INSERT INTO migration (gid, vm_id, kind, source_node_id, target_node_id, incoming_port) VALUES "
          + "(#{gid}, #{m.vmId}, #{m.kind}, #{m.sourceNodeId}, #{m.targetNodeId}, #{m.incomingPort})")
  void insert(@Param("gid") String gid, @Param("m") MigrationPlan move);

  @Delete("DELETE FROM migration WHERE gid = #{gid}")
  void delete(String gid);

  /**
   * QEMU's progress. Once the pivot is recorded a late reading cannot turn it back, and a reading
   * without figures (a cancelled or failed migration has none) keeps the last ones seen.
   */
  @Update(
      "UPDATE migration SET status = IF(pivoted, status, #{status}), "
          + "total_bytes = COALESCE(#{totalBytes}, total_bytes), "
          + "transferred_bytes = COALESCE(#{transferredBytes}, transferred_bytes), "
          + "remaining_bytes = COALESCE(#{remainingBytes}, remaining_bytes), mbps = COALESCE(#{mbps}, mbps), "
          + "downtime_ms = COALESCE(#{downtimeMs}, downtime_ms), "
          + "total_time_ms = COALESCE(#{totalTimeMs}, total_time_ms) WHERE gid = #{gid}")
  void progress(
      @Param("gid") String gid,
      @Param("status") String status,
      @Param("totalBytes") Long totalBytes,
      @Param("transferredBytes") Long transferredBytes,
      @Param("remainingBytes") Long remainingBytes,
      @Param("mbps") Double mbps,
      @Param("downtimeMs") Long downtimeMs,
      @Param("totalTimeMs") Long totalTimeMs);

  @Update("UPDATE migration SET status = #{status} WHERE gid = #{gid} AND NOT pivoted")
  void status(String gid, String status);

  /** 1 when the cancel was taken: the migration has neither passed its pivot nor finished. */
  @Update(
      "UPDATE migration SET cancel_reason = COALESCE(cancel_reason, #{reason}) "
          + "WHERE gid = #{gid} AND NOT pivoted AND finished_at IS NULL")
  int requestCancel(String gid, String reason);

  @Update("UPDATE migration SET pivoted = TRUE, status = 'completed' WHERE gid = #{gid}")
  void markPivoted(String gid);

  @Update(
      "UPDATE migration SET note = LEFT(CONCAT_WS('; ', note, #{note}), 255) WHERE gid = #{gid}")
  void addNote(String gid, String note);

  @Update(
      "UPDATE migration SET outcome = #{outcome}, finished_at = COALESCE(finished_at, CURRENT_TIMESTAMP(3)) "
          + "WHERE gid = #{gid}")
  void finish(String gid, String outcome);

  // --- the VM's metadata, switched to the node it runs on ---

  /**
   * A move's new node, and the next placement generation (once: pointing at the same node again
   * leaves it; assignments run left to right, so the generation is compared before node_id moves).
   */
  @Update(
      "UPDATE vm SET generation = generation + IF(node_id = #{nodeId}, 0, 1), node_id = #{nodeId}"
          + " WHERE id = #{vmId} AND owner_gid = #{gid}")
  int pointVmAt(String vmId, String gid, String nodeId);

  @Select("SELECT generation FROM vm WHERE id = #{vmId}")
  Long generation(String vmId);

  /** A local disk lives on the VM's node; a shared one on none. */
  @Update("UPDATE disk SET node_id = IF(pool = 'shared', NULL, #{nodeId}) WHERE vm_id = #{vmId}")
  void pointDisksAt(String vmId, String nodeId);

  @Update("UPDATE nic SET tap = #{tap} WHERE id = #{nicId}")
  void setTap(String nicId, String tap);
}
