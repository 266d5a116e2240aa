-- A data disk detached with {"delete": false} stays the VM's (it counts against the quota, moves and
-- is deleted with the VM) but is not plugged in; attachDisk {vmId, diskId} plugs it in again.
ALTER TABLE disk ADD COLUMN attached BOOLEAN NOT NULL DEFAULT TRUE;
