-- The network reconciler (networks.NetworkReconciler) compares each running VM's NICs with what its node
-- really has and mends what drifted (a tap deleted by hand, taken off its bridge, or down). A VM it could
-- not mend is flagged degraded until a later pass finds it whole; every repair it tried is recorded.
ALTER TABLE vm
  ADD COLUMN network_state VARCHAR(16) NOT NULL DEFAULT 'ok' COMMENT 'ok | degraded: a NIC the reconciler could not mend';

CREATE TABLE network_repair (
  id        BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  vm_id     VARCHAR(64)  NOT NULL,
  node_id   VARCHAR(64)  NOT NULL,
  nic_id    VARCHAR(64)  NOT NULL,
  tap       VARCHAR(15)  NOT NULL,
  found     VARCHAR(16)  NOT NULL COMMENT 'the agent''s tap_state: missing | detached | wrong_bridge | down',
  outcome   VARCHAR(16)  NOT NULL COMMENT 'repaired | failed',
  detail    VARCHAR(255) NULL,
  at        TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY network_repair_vm (vm_id, at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
