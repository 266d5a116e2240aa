-- The first-boot configuration (NoCloud cidata) each VM was given, so that a migration can give the
-- target node the same CD-ROM. Written by the create saga's writeCidata step, removed with the VM.
CREATE TABLE vm_cidata (
  vm_id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  meta_data      TEXT         NOT NULL,
  user_data      MEDIUMTEXT   NOT NULL,
  network_config TEXT         NOT NULL,
  created_at     TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Where a VM's root disk lives, known from its first step: a create on its way to a node's cached
-- image copy keeps that copy from being removed under it.
ALTER TABLE vm ADD COLUMN root_pool VARCHAR(16) NULL COMMENT 'local | shared';
