package io.vmsaga.functions.core;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** The {@code image} table (V005): images in the shared image pool. */
@Mapper
public interface ImageMapper {
  record ImageRow(
      String id,
      String name,
      String url,
      String sha256,
      String osType,
      String state,
      String ownerGid,
      Long virtualSizeMib,
      Long actualSizeBytes,
      String error) {
    public boolean active() {
      return "active".equals(state);
    }
  }

  String COLUMNS =
      "id, name, url, sha256, os_type, state, owner_gid, virtual_size_mib, actual_size_bytes, error";

  @Select("SELECT " + COLUMNS + " FROM image WHERE id = #{id}")
  ImageRow find(String id);

  @Select("SELECT " + COLUMNS + " FROM image WHERE name = #{name}")
  ImageRow named(String name);

  @Select("SELECT " + COLUMNS + " FROM image ORDER BY name")
  List<ImageRow> all();

  /** 1 when the row is new: an import's record, owned by its saga. */
  @Insert(
      "INSERT IGNORE INTO image (id, name, url, sha256, os_type, state, owner_gid) "
          + "VALUES (#{id}, #{name}, #{url}, #{sha256}, #{osType}, 'importing', #{gid})")
  int insertImporting(String id, String name, String url, String sha256, String osType, String gid);

  @Update(
      "UPDATE image SET state = 'active', owner_gid = NULL, virtual_size_mib = #{virtualSizeMib}, "
          + "actual_size_bytes = #{actualSizeBytes}, sha256 = COALESCE(sha256, #{sha256}) "
          + "WHERE id = #{id} AND owner_gid = #{gid}")
  int activate(String id, String gid, long virtualSizeMib, long actualSizeBytes, String sha256);

  @Delete("DELETE FROM image WHERE id = #{id} AND owner_gid = #{gid}")
  int deleteOwned(String id, String gid);

  @Delete("DELETE FROM image WHERE id = #{id} AND owner_gid IS NULL")
  int deleteSettled(String id);

  /** VMs made from the image that still exist (their disks are overlays of it). */
  @Select("SELECT COUNT(*) FROM vm WHERE image_id = #{id}")
  int vmsUsing(String id);
}
