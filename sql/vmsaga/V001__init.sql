-- vmsaga business schema. Applied in version order by Flyway (see sql/README.md).
-- Quota and capacity counters live on the tenant and node rows and change only inside the
-- same local transaction as the reservation that moves them (row locks serialise creates).

CREATE TABLE tenant (
  id               VARCHAR(64)  NOT NULL PRIMARY KEY,
  name             VARCHAR(128) NOT NULL,
  api_key_sha256   CHAR(64)     NOT NULL UNIQUE COMMENT 'hex SHA-256 of the bearer token; the token itself is never stored',
  is_admin         BOOLEAN      NOT NULL DEFAULT FALSE,
  max_vms          INT          NOT NULL DEFAULT 10,
  max_vcpus        INT          NOT NULL DEFAULT 16,
  max_memory_mb    INT          NOT NULL DEFAULT 16384,
  used_vms         INT          NOT NULL DEFAULT 0,
  used_vcpus       INT          NOT NULL DEFAULT 0,
  used_memory_mb   INT          NOT NULL DEFAULT 0,
  created_at       TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE node (
  id                   VARCHAR(64)   NOT NULL PRIMARY KEY,
  agent_url            VARCHAR(255)  NOT NULL,
  status               VARCHAR(16)   NOT NULL DEFAULT 'active' COMMENT 'active | draining | removed',
  cpus                 INT           NOT NULL,
  memory_mb            INT           NOT NULL,
  cpu_overcommit       DECIMAL(5,2)  NOT NULL DEFAULT 1.00 COMMENT '1.00 = static allocation',
  memory_overcommit    DECIMAL(5,2)  NOT NULL DEFAULT 1.00,
  committed_vcpus      INT           NOT NULL DEFAULT 0,
  committed_memory_mb  INT           NOT NULL DEFAULT 0,
  accelerator          VARCHAR(8)    NOT NULL DEFAULT 'tcg',
  updated_at           TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE network (
  id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  name        VARCHAR(128) NOT NULL,
  bridge      VARCHAR(15)  NOT NULL,
  tenant_id   VARCHAR(64)  NULL COMMENT 'NULL = shared by all tenants',
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE vm (
  id             VARCHAR(64)  NOT NULL PRIMARY KEY,
  tenant_id      VARCHAR(64)  NOT NULL,
  node_id        VARCHAR(64)  NULL,
  name           VARCHAR(64)  NOT NULL,
  state          VARCHAR(16)  NOT NULL COMMENT 'creating | running | paused | stopped | migrating | deleting | failed',
  vcpus          INT          NOT NULL,
  max_vcpus      INT          NOT NULL,
  memory_mb      INT          NOT NULL,
  max_memory_mb  INT          NOT NULL,
  owner_gid      VARCHAR(128) NULL COMMENT 'the saga that owns this VM now; one at a time',
  last_gid       VARCHAR(128) NULL,
  last_outcome   VARCHAR(16)  NULL COMMENT 'succeed | failed, of last_gid',
  created_at     TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at     TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  KEY vm_tenant (tenant_id),
  KEY vm_node (node_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE disk (
  id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  vm_id       VARCHAR(64)  NOT NULL,
  node_id     VARCHAR(64)  NULL COMMENT 'NULL for a disk in the shared pool',
  pool        VARCHAR(16)  NOT NULL COMMENT 'local | shared',
  size_gb     INT          NOT NULL,
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY disk_vm (vm_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE nic (
  id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  vm_id       VARCHAR(64)  NOT NULL,
  network_id  VARCHAR(64)  NOT NULL,
  mac         CHAR(17)     NOT NULL UNIQUE,
  tap         VARCHAR(15)  NOT NULL UNIQUE,
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY nic_vm (vm_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE reservation (
  id          VARCHAR(160) NOT NULL PRIMARY KEY COMMENT 'gid + branch: one reservation per saga step',
  gid         VARCHAR(128) NOT NULL,
  vm_id       VARCHAR(64)  NOT NULL,
  tenant_id   VARCHAR(64)  NOT NULL,
  node_id     VARCHAR(64)  NOT NULL,
  vcpus       INT          NOT NULL,
  memory_mb   INT          NOT NULL,
  state       VARCHAR(16)  NOT NULL COMMENT 'held | committed | released',
  expires_at  TIMESTAMP(3) NOT NULL COMMENT 'a held reservation past this is reclaimed',
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY reservation_state (state, expires_at),
  KEY reservation_vm (vm_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- DTM's sub-transaction barrier, here so that it commits in the same local transaction as the
-- business rows (docs/design.md §4).
CREATE TABLE dtm_barrier (
  id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  trans_type  VARCHAR(45)  NOT NULL DEFAULT '',
  gid         VARCHAR(128) NOT NULL DEFAULT '',
  branch_id   VARCHAR(128) NOT NULL DEFAULT '',
  op          VARCHAR(45)  NOT NULL DEFAULT '',
  barrier_id  VARCHAR(45)  NOT NULL DEFAULT '',
  reason      VARCHAR(45)  NOT NULL DEFAULT '' COMMENT 'the op that inserted this row',
  create_time TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY barrier_unique (gid, branch_id, op, barrier_id),
  KEY barrier_create_time (create_time)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
