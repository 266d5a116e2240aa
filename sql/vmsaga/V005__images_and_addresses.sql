-- Images in the shared image pool, guest addresses from each network's CIDR, and what a VM boots.

CREATE TABLE image (
  id                VARCHAR(64)   NOT NULL PRIMARY KEY,
  name              VARCHAR(64)   NOT NULL UNIQUE,
  url               VARCHAR(1024) NOT NULL,
  sha256            CHAR(64)      NULL COMMENT 'as the importer gave it; the agent checks it',
  os_type           VARCHAR(32)   NULL,
  state             VARCHAR(16)   NOT NULL COMMENT 'importing | active | failed',
  owner_gid         VARCHAR(128)  NULL COMMENT 'the importImage saga while it runs',
  virtual_size_mib  BIGINT        NULL,
  actual_size_bytes BIGINT        NULL,
  error             VARCHAR(255)  NULL,
  created_at        TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

ALTER TABLE network
  ADD COLUMN cidr    VARCHAR(18) NULL COMMENT 'guest subnet, e.g. 10.77.0.0/24; its gateway lives in the stack''s namespace',
  ADD COLUMN gateway VARCHAR(15) NULL;

-- One address per (network, VM); the primary key makes two VMs never share one.
CREATE TABLE address (
  network_id VARCHAR(64)  NOT NULL,
  address    VARCHAR(15)  NOT NULL,
  vm_id      VARCHAR(64)  NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (network_id, address),
  UNIQUE KEY address_vm (vm_id, network_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

ALTER TABLE vm
  ADD COLUMN image_id VARCHAR(64) NULL,
  ADD COLUMN hostname VARCHAR(63) NULL;

ALTER TABLE disk ADD COLUMN image_id VARCHAR(64) NULL COMMENT 'the image this disk is an overlay of';
