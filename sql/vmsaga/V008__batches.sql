-- Batches of creates (batchCreateVms). Their progress lives here, never in a process's memory: the
-- driveBatch step, which DTM calls again and again until the batch is done, reads and moves it, so a
-- batch outlives any restart of the functions and runs on Lambda as it does in the web app.
-- A batch over 100 VMs is a parent with sub-batches of at most 100, run one after the other.
CREATE TABLE batch (
  id               VARCHAR(64)  NOT NULL PRIMARY KEY,
  tenant_id        VARCHAR(64)  NOT NULL,
  parent_id        VARCHAR(64)  NULL COMMENT 'the batch this one is a sub-batch of',
  position         INT          NOT NULL DEFAULT 0 COMMENT 'order among its parent''s sub-batches',
  first_index      INT          NOT NULL DEFAULT 0 COMMENT 'index of its first item in the whole batch',
  idempotency_key  VARCHAR(64)  NULL,
  concurrency      INT          NOT NULL,
  fail_fast        BOOLEAN      NOT NULL DEFAULT FALSE,
  driver_gid       VARCHAR(128) NULL COMMENT 'the driveBatch saga',
  state            VARCHAR(16)  NOT NULL DEFAULT 'running' COMMENT 'running | done',
  created_at       TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  finished_at      TIMESTAMP(3) NULL,
  UNIQUE KEY batch_key (tenant_id, idempotency_key),
  KEY batch_parent (parent_id, position)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE batch_item (
  batch_id       VARCHAR(64)  NOT NULL,
  item_index     INT          NOT NULL COMMENT 'position in the whole batch, from 0',
  request        MEDIUMTEXT   NOT NULL COMMENT 'the createVm body',
  status         VARCHAR(16)  NOT NULL DEFAULT 'pending' COMMENT 'pending | running | succeeded | failed | skipped',
  gid            VARCHAR(128) NULL COMMENT 'its createVm saga, named by the batch''s key and the index',
  vm_id          VARCHAR(64)  NULL,
  error_code     VARCHAR(64)  NULL,
  error_message  VARCHAR(255) NULL,
  started_at     TIMESTAMP(3) NULL,
  finished_at    TIMESTAMP(3) NULL,
  PRIMARY KEY (batch_id, item_index),
  KEY batch_item_status (batch_id, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
