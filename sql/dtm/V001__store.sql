-- DTM v1.19.0's MySQL store (DTM does not create its own tables). Column names and keys are
-- the ones DTM's storage driver reads and writes; applied once into the `dtm` database.

CREATE TABLE trans_global (
  id                 BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  gid                VARCHAR(128)  NOT NULL,
  trans_type         VARCHAR(45)   NOT NULL,
  status             VARCHAR(12)   NOT NULL COMMENT 'prepared | submitted | aborting | succeed | failed',
  query_prepared     VARCHAR(1024) NOT NULL,
  protocol           VARCHAR(45)   NOT NULL,
  create_time        DATETIME      NULL,
  update_time        DATETIME      NULL,
  finish_time        DATETIME      NULL,
  rollback_time      DATETIME      NULL,
  options            VARCHAR(1024) DEFAULT '',
  custom_data        VARCHAR(1024) DEFAULT '',
  next_cron_interval INT           NULL,
  next_cron_time     DATETIME      NULL,
  owner              VARCHAR(128)  NOT NULL DEFAULT '',
  ext_data           TEXT,
  result             VARCHAR(1024) DEFAULT '',
  rollback_reason    VARCHAR(1024) DEFAULT '',
  UNIQUE KEY gid (gid),
  KEY owner (owner),
  KEY status_next_cron_time (status, next_cron_time)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE trans_branch_op (
  id            BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  gid           VARCHAR(128)  NOT NULL,
  url           VARCHAR(1024) NOT NULL,
  data          TEXT,
  bin_data      BLOB,
  branch_id     VARCHAR(128)  NOT NULL,
  op            VARCHAR(45)   NOT NULL,
  status        VARCHAR(45)   NOT NULL,
  finish_time   DATETIME      NULL,
  rollback_time DATETIME      NULL,
  create_time   DATETIME      NULL,
  update_time   DATETIME      NULL,
  UNIQUE KEY gid_uniq (gid, branch_id, op)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE kv (
  id          BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
  cat         VARCHAR(45) NOT NULL,
  k           VARCHAR(128) NOT NULL,
  v           TEXT,
  version     BIGINT      DEFAULT 1,
  create_time DATETIME    NULL,
  update_time DATETIME    NULL,
  UNIQUE KEY uniq_k (cat, k)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
