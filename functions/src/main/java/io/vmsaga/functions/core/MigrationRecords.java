package io.vmsaga.functions.core;

import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;

/** The {@code migration} table as read by everyone who shows a VM: its latest move and progress. */
@Mapper
public interface MigrationRecords {
  record MigrationRow(
      String gid,
      String vmId,
      String kind,
      String sourceNodeId,
      String targetNodeId,
      String status,
      boolean pivoted,
      String cancelReason,
      Integer incomingPort,
      Long totalBytes,
      Long transferredBytes,
      Long remainingBytes,
      Double mbps,
      Long downtimeMs,
      Long totalTimeMs,
      String outcome,
      String note) {}

  String COLUMNS =
      "gid, vm_id, kind, source_node_id, target_node_id, status, pivoted, cancel_reason, incoming_port, "
          + "total_bytes, transferred_bytes, remaining_bytes, mbps, downtime_ms, total_time_ms, outcome, note";

  @Select("SELECT " + COLUMNS + " FROM migration WHERE gid = #{gid}")
  MigrationRow find(String gid);

  @Select(
      "SELECT "
          + COLUMNS
          + " FROM migration WHERE vm_id = #{vmId} ORDER BY created_at DESC, gid LIMIT 1")
  MigrationRow latestOf(String vmId);
}
