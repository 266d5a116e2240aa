package io.vmsaga.functions.tenants;

import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** Tenants as administrators see them: quota and what is used of it. */
@Mapper
public interface TenantRecords {
  record Quota(Integer maxVms, Integer maxVcpus, Integer maxMemoryMib, Integer maxDiskGib) {}

  record Usage(int vms, int vcpus, int memoryMib, int diskGib) {}

  record TenantView(String tenantId, String name, boolean isAdmin, Quota quota, Usage usage) {}

  record Row(
      String id,
      String name,
      boolean isAdmin,
      int maxVms,
      int maxVcpus,
      int maxMemoryMib,
      int maxDiskGib,
      int usedVms,
      int usedVcpus,
      int usedMemoryMib,
      int usedDiskGib) {
    TenantView view() {
      return new TenantView(
          id,
          name,
          isAdmin,
          new Quota(maxVms, maxVcpus, maxMemoryMib, maxDiskGib),
          new Usage(usedVms, usedVcpus, usedMemoryMib, usedDiskGib));
    }
  }

  String COLUMNS =
      "id, name, is_admin, max_vms, max_vcpus, max_memory_mib, max_disk_gib, used_vms, used_vcpus,"
          + " used_memory_mib, used_disk_gib";

  @Select("SELECT " + COLUMNS + " FROM tenant WHERE id = #{id}")
  Row find(String id);

  @Select("SELECT " + COLUMNS + " FROM tenant ORDER BY id")
  java.util.List<Row> all();

  /** 0 when the id is taken (the key hash is unique too, and random). */
  @Insert(
      "INSERT IGNORE INTO tenant (id, name, api_key_sha256, is_admin, max_vms, max_vcpus,"
          + " max_memory_mib, max_disk_gib) VALUES (#{id}, #{name}, #{keySha256}, #{isAdmin},"
          + " #{q.maxVms}, #{q.maxVcpus}, #{q.maxMemoryMib}, #{q.maxDiskGib})")
  int insert(
      @Param("id") String id,
      @Param("name") String name,
      @Param("keySha256") String keySha256,
      @Param("isAdmin") boolean isAdmin,
      @Param("q") Quota quota);

  /** Sets the limits given; a null keeps that limit. */
  @Update(
      "UPDATE tenant SET max_vms = COALESCE(#{q.maxVms}, max_vms), max_vcpus = COALESCE(#{q.maxVcpus},"
          + " max_vcpus), max_memory_mib = COALESCE(#{q.maxMemoryMib}, max_memory_mib), max_disk_gib ="
          + " COALESCE(#{q.maxDiskGib}, max_disk_gib) WHERE id = #{id}")
  int setQuota(@Param("id") String id, @Param("q") Quota quota);
}
