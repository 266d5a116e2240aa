package io.vmsaga.functions.core;

import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;

@Mapper
public interface NetworkMapper {
  /**
   * A network; {@code cidr} and {@code gateway} are null for one without guest addresses. Only an
   * {@code active} one takes VMs ({@code creating} and {@code deleting} belong to their sagas).
   */
  record Network(
      String id,
      String name,
      String bridge,
      String tenantId,
      String cidr,
      String gateway,
      String state) {
    public boolean usableBy(String tenant) {
      return tenantId == null || tenantId.equals(tenant);
    }

    public boolean active() {
      return "active".equals(state);
    }
  }

  String COLUMNS = "id, name, bridge, tenant_id, cidr, gateway, state";

  @Select("SELECT " + COLUMNS + " FROM network WHERE id = #{id}")
  Network find(String id);

  /**
   * The network, its row locked shared until the caller's transaction ends: a NIC made under it
   * cannot race deleteNetwork's retirement, which locks the row exclusively.
   */
  @Select("SELECT " + COLUMNS + " FROM network WHERE id = #{id} LOCK IN SHARE MODE")
  Network findLocked(String id);

  /** Every network, whatever its state: a node registered now gets the ones being made too. */
  @Select("SELECT " + COLUMNS + " FROM network ORDER BY id")
  List<Network> all();
}
