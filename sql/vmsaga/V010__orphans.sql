-- What the orphan sweeper (nodes.Orphans) found on a node that no record and no saga in flight owns:
-- a VM definition (its QEMU is paused when first seen), a disk or a tap. It stays quarantined, untouched
-- but reported, and is removed once it has stayed an orphan for the grace period. A row whose resource is
-- owned again, or gone, before then is dropped; a removed one keeps its row (removed_at) for the report.
CREATE TABLE orphan (
  node_id         VARCHAR(64)  NOT NULL,
  kind            VARCHAR(8)   NOT NULL COMMENT 'vm | disk | tap',
  name            VARCHAR(200) NOT NULL COMMENT 'VM id, pool/disk id, or tap name',
  quarantined_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  removed_at      TIMESTAMP(3) NULL,
  note            VARCHAR(255) NULL,
  PRIMARY KEY (node_id, kind, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
