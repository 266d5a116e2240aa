package io.vmsaga.functions.core;

import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;

@Mapper
public interface NetworkMapper {
  /** A network; {@code cidr} and {@code gateway} are null for one without guest addresses. */
  record Network(String id, String bridge, String tenantId, String cidr, String gateway) {
    public boolean usableBy(String tenant) {
      return tenantId == null || tenantId.equals(tenant);
    }
  }

  @Select("SELECT id, bridge, tenant_id, cidr, gateway FROM network WHERE id = #{id}")
  Network find(String id);

  @Select("SELECT id, bridge, tenant_id, cidr, gateway FROM network ORDER BY id")
  java.util.List<Network> all();
}
