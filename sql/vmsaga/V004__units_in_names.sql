-- Every name says its unit: memory is in MiB and disks in GiB, as they always were; only the names change.
ALTER TABLE tenant
  RENAME COLUMN max_memory_mb TO max_memory_mib,
  RENAME COLUMN used_memory_mb TO used_memory_mib;
ALTER TABLE node
  RENAME COLUMN memory_mb TO memory_mib,
  RENAME COLUMN committed_memory_mb TO committed_memory_mib;
ALTER TABLE vm
  RENAME COLUMN memory_mb TO memory_mib,
  RENAME COLUMN max_memory_mb TO max_memory_mib;
ALTER TABLE disk RENAME COLUMN size_gb TO size_gib;
ALTER TABLE reservation RENAME COLUMN memory_mb TO memory_mib;
