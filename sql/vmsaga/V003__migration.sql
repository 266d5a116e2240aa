-- One row per migration saga (live or cold): what getVm shows while it runs, the flags its steps
-- share (a cancel request, the pivot), and what it ended with. Progress is QEMU's own query-migrate,
-- recorded by the polling step. During a migration the VM also holds a second reservation, on the
-- target node, in state 'migrating': it moves the node's commitment only, never the tenant's quota.
CREATE TABLE migration (
  gid                VARCHAR(128) NOT NULL PRIMARY KEY,
  vm_id              VARCHAR(64)  NOT NULL,
  kind               VARCHAR(8)   NOT NULL COMMENT 'live | cold',
  source_node_id     VARCHAR(64)  NOT NULL,
  target_node_id     VARCHAR(64)  NOT NULL,
  status             VARCHAR(16)  NOT NULL DEFAULT 'submitted' COMMENT 'submitted | copying | QEMU''s: setup, active, device, cancelling, completed, failed, cancelled',
  pivoted            BOOLEAN      NOT NULL DEFAULT FALSE COMMENT 'the VM runs on the target: from here on the move only goes forward',
  cancel_reason      VARCHAR(32)  NULL COMMENT 'requested | target_unreachable: cancel before the pivot',
  incoming_port      INT          NULL COMMENT 'where the target QEMU listens for the stream (live)',
  total_bytes        BIGINT       NULL,
  transferred_bytes  BIGINT       NULL,
  remaining_bytes    BIGINT       NULL,
  mbps               DOUBLE       NULL,
  downtime_ms        BIGINT       NULL,
  total_time_ms      BIGINT       NULL,
  outcome            VARCHAR(16)  NULL COMMENT 'succeed | failed, once the saga settled the VM',
  note               VARCHAR(255) NULL COMMENT 'what a compensation could not undo, for the operator',
  created_at         TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at         TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  finished_at        TIMESTAMP(3) NULL,
  KEY migration_vm (vm_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
