package io.vmsaga.functions.core;

import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;

@Mapper
public interface NetworkMapper {
  record Network(String id, String bridge, String tenantId) {
    public boolean usableBy(String tenant) {
      return tenantId == null || tenantId.equals(tenant);
    }
  }

  @Select("SELECT id, bridge, tenant_id FROM network WHERE id = #{id}")
  Network find(String id);
}
