package io.vmsaga.functions.faults;

import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Select;

@Mapper
public interface FaultMapper {
  @Select("SELECT kind FROM fault_injection WHERE gid = #{gid} AND step = #{step}")
  String kind(String gid, String step);

  @Insert("INSERT IGNORE INTO fault_injection (gid, step, kind) VALUES (#{gid}, #{step}, #{kind})")
  void add(String gid, String step, String kind);
}
