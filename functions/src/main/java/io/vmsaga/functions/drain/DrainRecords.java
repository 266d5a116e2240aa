package io.vmsaga.functions.drain;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** A drain's rows: the drain, the VMs it moves, and the node's status they change. */
@Mapper
public interface DrainRecords {
  record DrainRow(String gid, String nodeId, int concurrency, String targetNodeIds, String state) {
    /** Where the moves may go; empty: any active node. */
    List<String> targets() {
      return targetNodeIds == null ? List.of() : List.of(targetNodeIds.split(","));
    }

    boolean running() {
      return "running".equals(state);
    }
  }

  record Item(
      String vmId,
      String kind,
      String status,
      String targetNodeId,
      String gid,
      String code,
      String message,
      Long moveMs) {}

  /** A VM still on the node, with what its move needs to know. */
  record Resident(String id, String state, int vcpus, int memoryMib, int localDisks) {}

  /** What the drain's moves in flight bring to each target. */
  record InFlight(String targetNodeId, int vcpus, int memoryMib) {}

  @Select(
      "SELECT i.target_node_id, SUM(v.vcpus) AS vcpus, SUM(v.memory_mib) AS memory_mib"
          + " FROM node_drain_vm i JOIN vm v ON v.id = i.vm_id"
          + " WHERE i.drain_gid = #{gid} AND i.status = 'moving' GROUP BY i.target_node_id")
  List<InFlight> inFlight(String gid);

  @Insert(
      "INSERT INTO node_drain (gid, node_id, concurrency, target_node_ids)"
          + " VALUES (#{gid}, #{nodeId}, #{concurrency}, #{targets})")
  void insert(
      @Param("gid") String gid,
      @Param("nodeId") String nodeId,
      @Param("concurrency") int concurrency,
      @Param("targets") String targetNodeIds);

  @Select(
      "SELECT gid, node_id, concurrency, target_node_ids, state FROM node_drain WHERE gid = #{gid}")
  DrainRow find(String gid);

  @Select(
      "SELECT gid, node_id, concurrency, target_node_ids, state FROM node_drain WHERE gid = #{gid} FOR UPDATE")
  DrainRow lock(String gid);

  /** The node's latest drain. */
  @Select(
      "SELECT gid, node_id, concurrency, target_node_ids, state FROM node_drain WHERE node_id = #{nodeId}"
          + " ORDER BY started_at DESC, gid DESC LIMIT 1")
  DrainRow latest(String nodeId);

  @Update(
      "UPDATE node_drain SET state = #{state}, finished_at = CURRENT_TIMESTAMP(3)"
          + " WHERE gid = #{gid} AND state = 'running'")
  int end(@Param("gid") String gid, @Param("state") String state);

  @Select(
      "SELECT vm_id, kind, status, target_node_id, gid, code, message,"
          + " TIMESTAMPDIFF(MICROSECOND, started_at, finished_at) DIV 1000 AS move_ms"
          + " FROM node_drain_vm WHERE drain_gid = #{gid} ORDER BY vm_id")
  List<Item> items(String gid);

  /** VMs on the node that the drain has not listed yet (it lists each once). */
  @Insert(
      "INSERT IGNORE INTO node_drain_vm (drain_gid, vm_id)"
          + " SELECT #{gid}, id FROM vm WHERE node_id = #{nodeId}")
  void listResidents(@Param("gid") String gid, @Param("nodeId") String nodeId);

  @Select(
      "SELECT v.id, v.state, v.vcpus, v.memory_mib,"
          + " (SELECT COUNT(*) FROM disk d WHERE d.vm_id = v.id AND d.pool = 'local') AS local_disks"
          + " FROM vm v WHERE v.id = #{vmId} AND v.node_id = #{nodeId}")
  Resident resident(@Param("vmId") String vmId, @Param("nodeId") String nodeId);

  @Update(
      "UPDATE node_drain_vm SET status = 'moving', kind = #{kind}, target_node_id = #{targetNodeId},"
          + " gid = #{moveGid}, started_at = CURRENT_TIMESTAMP(3)"
          + " WHERE drain_gid = #{gid} AND vm_id = #{vmId}")
  void moving(
      @Param("gid") String gid,
      @Param("vmId") String vmId,
      @Param("kind") String kind,
      @Param("targetNodeId") String targetNodeId,
      @Param("moveGid") String moveGid);

  @Update(
      "UPDATE node_drain_vm SET status = #{status}, code = #{code}, message = LEFT(#{message}, 255),"
          + " finished_at = CURRENT_TIMESTAMP(3) WHERE drain_gid = #{gid} AND vm_id = #{vmId}")
  void settle(
      @Param("gid") String gid,
      @Param("vmId") String vmId,
      @Param("status") String status,
      @Param("code") String code,
      @Param("message") String message);

  @Update("UPDATE node SET status = #{to} WHERE id = #{nodeId} AND status = #{from}")
  int moveNodeStatus(
      @Param("nodeId") String nodeId, @Param("from") String from, @Param("to") String to);

  @Select("SELECT status FROM node WHERE id = #{nodeId}")
  String nodeStatus(String nodeId);
}
