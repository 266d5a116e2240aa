-- Faults an operator (or the end-to-end tests) asks a saga step to suffer, keyed by saga and step.
-- Read only when the functions run with VMSAGA_FAULT_INJECTION=true; never in production.
CREATE TABLE fault_injection (
  gid        VARCHAR(128) NOT NULL,
  step       VARCHAR(64)  NOT NULL,
  kind       VARCHAR(16)  NOT NULL COMMENT 'fail = business failure before the effect | crash = 500 after it | hang = past the request timeout after it | slow = 2 s before it',
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (gid, step)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
