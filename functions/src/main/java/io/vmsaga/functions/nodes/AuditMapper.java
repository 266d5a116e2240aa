package io.vmsaga.functions.nodes;

import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;

/** What the database says should exist, for {@link AuditNode}. */
@Mapper
public interface AuditMapper {
  @Select("SELECT id FROM vm")
  List<String> vmIds();

  @Select("SELECT id FROM vm WHERE state = 'creating'")
  List<String> creatingVmIds();

  /** VMs the node should run or hold: recorded there and settled (no saga moving them). */
  @Select(
      "SELECT id FROM vm WHERE node_id = #{nodeId} AND state IN ('running', 'paused', 'stopped')")
  List<String> settledVmIdsOn(String nodeId);

  @Select("SELECT tap FROM nic")
  List<String> taps();

  record Owned(String id, String ownerGid) {}

  /** VMs a saga holds now. */
  @Select("SELECT id, owner_gid FROM vm WHERE owner_gid IS NOT NULL")
  List<Owned> ownedVms();
}
