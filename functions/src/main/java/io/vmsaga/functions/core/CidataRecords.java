package io.vmsaga.functions.core;

import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;

/**
 * The NoCloud data each VM was given (V006), kept so that a migration target gets the same CD-ROM.
 */
@Mapper
public interface CidataRecords {
  record Cidata(String metaData, String userData, String networkConfig) {}

  @Select("SELECT meta_data, user_data, network_config FROM vm_cidata WHERE vm_id = #{vmId}")
  Cidata of(String vmId);

  @Insert(
      "REPLACE INTO vm_cidata (vm_id, meta_data, user_data, network_config) "
          + "VALUES (#{vmId}, #{c.metaData}, #{c.userData}, #{c.networkConfig})")
  void put(
      @org.apache.ibatis.annotations.Param("vmId") String vmId,
      @org.apache.ibatis.annotations.Param("c") Cidata cidata);

  @Delete("DELETE FROM vm_cidata WHERE vm_id = #{vmId}")
  void delete(String vmId);
}
