-- Draining a node (drain.DrainNode): one row per drain, one per VM it moves, each move its own
-- migration saga. The rows are the drain's progress and its report of what moved and what did not.
CREATE TABLE node_drain (
  gid          VARCHAR(128) NOT NULL PRIMARY KEY,
  node_id      VARCHAR(64)  NOT NULL,
  concurrency  INT          NOT NULL COMMENT 'moves at once',
  target_node_ids VARCHAR(1024) NULL COMMENT 'where the moves may go, comma-separated (a replacement); NULL: any active node',
  state        VARCHAR(16)  NOT NULL DEFAULT 'running' COMMENT 'running | drained | stopped | cancelled | failed',
  started_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  finished_at  TIMESTAMP(3) NULL,
  KEY node_drain_node (node_id, started_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE node_drain_vm (
  drain_gid       VARCHAR(128) NOT NULL,
  vm_id           VARCHAR(64)  NOT NULL,
  kind            VARCHAR(8)   NULL COMMENT 'live | cold, once the move started',
  status          VARCHAR(16)  NOT NULL DEFAULT 'pending' COMMENT 'pending | moving | moved | failed',
  target_node_id  VARCHAR(64)  NULL,
  gid             VARCHAR(128) NULL COMMENT 'the move''s saga',
  code            VARCHAR(64)  NULL,
  message         VARCHAR(255) NULL,
  started_at      TIMESTAMP(3) NULL,
  finished_at     TIMESTAMP(3) NULL,
  PRIMARY KEY (drain_gid, vm_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
