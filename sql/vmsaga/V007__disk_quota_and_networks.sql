-- Disk quota per tenant, counted like vCPUs and memory: a reservation row carries the GiB it holds.
-- A row also says how many VMs it counts (a disk's growth holds GiB but no VM), so the tenant's
-- counters stay the sum of its reservations.
ALTER TABLE tenant
  ADD COLUMN max_disk_gib  INT NOT NULL DEFAULT 500 AFTER max_memory_mib,
  ADD COLUMN used_disk_gib INT NOT NULL DEFAULT 0 AFTER used_memory_mib;

ALTER TABLE reservation
  ADD COLUMN disk_gib INT NOT NULL DEFAULT 0 AFTER memory_mib,
  ADD COLUMN vm_count INT NOT NULL DEFAULT 1 COMMENT '1 for a VM''s own row, 0 for a disk''s growth' AFTER disk_gib;

-- The disks of the VMs that exist now count against their tenants (their rows predate disk_gib).
UPDATE reservation r
  JOIN (SELECT vm_id, SUM(size_gib) AS gib FROM disk GROUP BY vm_id) d ON d.vm_id = r.vm_id
  SET r.disk_gib = d.gib
  WHERE r.state = 'committed';
UPDATE tenant t
  SET used_disk_gib = (SELECT COALESCE(SUM(r.disk_gib), 0) FROM reservation r
                       WHERE r.tenant_id = t.id AND r.state <> 'migrating');

-- Networks are made and removed by sagas (createNetwork, deleteNetwork): a VM is only placed on an
-- active one.
ALTER TABLE network
  ADD COLUMN state     VARCHAR(16)  NOT NULL DEFAULT 'active' COMMENT 'creating | active | deleting',
  ADD COLUMN owner_gid VARCHAR(128) NULL COMMENT 'the saga making or removing it',
  ADD UNIQUE KEY network_name (name);
