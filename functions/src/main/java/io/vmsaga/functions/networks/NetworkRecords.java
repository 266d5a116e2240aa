package io.vmsaga.functions.networks;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** The network rows the network sagas own while they run. */
@Mapper
public interface NetworkRecords {
  /** 0 when the id or the name is taken. */
  @Insert(
      "INSERT IGNORE INTO network (id, name, bridge, tenant_id, cidr, gateway, state, owner_gid)"
          + " VALUES (#{n.networkId}, #{n.name}, #{n.bridge}, #{n.tenantId}, #{n.cidr}, #{n.gateway},"
          + " 'creating', #{gid})")
  int insertCreating(@Param("n") NetworkPlan network, @Param("gid") String gid);

  @Update(
      "UPDATE network SET state = 'active', owner_gid = NULL WHERE id = #{id} AND owner_gid = #{gid}")
  int activate(@Param("id") String id, @Param("gid") String gid);

  @Delete("DELETE FROM network WHERE id = #{id} AND owner_gid = #{gid}")
  int deleteOwned(@Param("id") String id, @Param("gid") String gid);

  /** Locks the row: a VM's NIC being made on it holds the same lock shared (see CreateNic). */
  @Select("SELECT state FROM network WHERE id = #{id} FOR UPDATE")
  String lock(String id);

  /** NICs and addresses on it, read past any snapshot (a locking read). */
  @Select(
      "SELECT (SELECT COUNT(*) FROM nic WHERE network_id = #{id} LOCK IN SHARE MODE)"
          + " + (SELECT COUNT(*) FROM address WHERE network_id = #{id} LOCK IN SHARE MODE)")
  int users(String id);

  /** Takes an active network, or one a dead deleteNetwork left {@code deleting}, for this saga. */
  @Update(
      "UPDATE network SET state = 'deleting', owner_gid = #{gid} WHERE id = #{id}"
          + " AND state IN ('active', 'deleting')")
  int retire(@Param("id") String id, @Param("gid") String gid);

  @Select("SELECT owner_gid FROM network WHERE id = #{id}")
  String owner(String id);

  @Select("SELECT cidr FROM network WHERE cidr IS NOT NULL")
  List<String> cidrs();

  @Select("SELECT COUNT(*) FROM network WHERE id = #{id} OR name = #{name}")
  int taken(@Param("id") String id, @Param("name") String name);

  @Select("SELECT COUNT(*) FROM tenant WHERE id = #{id}")
  int tenantExists(String id);

  @Select("SELECT id FROM node WHERE status <> 'removed' ORDER BY id")
  List<String> nodes();

  record NetworkView(
      String networkId,
      String name,
      String bridge,
      String tenantId,
      String cidr,
      String gateway,
      String state,
      int vms) {}

  @Select(
      "SELECT n.id AS network_id, n.name, n.bridge, n.tenant_id, n.cidr, n.gateway, n.state,"
          + " (SELECT COUNT(DISTINCT vm_id) FROM nic WHERE network_id = n.id) AS vms"
          + " FROM network n WHERE #{tenantId} IS NULL OR n.tenant_id IS NULL"
          + " OR n.tenant_id = #{tenantId} ORDER BY n.id")
  List<NetworkView> visibleTo(@Param("tenantId") String tenantId);
}
