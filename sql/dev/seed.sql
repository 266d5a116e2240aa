-- Development seed data that `scripts/dev up` loads after the functions app has migrated the schema.
-- Upserts, so a second `up` changes nothing. scripts/dev sets @bridge and the tokens' hashes first.
-- Nodes are not here: they are registered through the registerNode admin function.

INSERT IGNORE INTO network (id, name, bridge) VALUES ('default', 'default', @bridge);

INSERT INTO tenant (id, name, api_key_sha256, is_admin)
VALUES ('admin', 'administrator', @admin_token_sha256, TRUE),
       ('demo', 'demo tenant', @demo_token_sha256, FALSE)
ON DUPLICATE KEY UPDATE api_key_sha256 = VALUES(api_key_sha256);

-- the default network's guest subnet (set apart so that an existing row gets it too)
UPDATE network SET cidr = '10.77.0.0/24', gateway = '10.77.0.1' WHERE id = 'default' AND cidr IS NULL;
