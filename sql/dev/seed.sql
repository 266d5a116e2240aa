-- Development seed data that `scripts/dev up` loads after the functions app has migrated the schema:
-- the first administrator only, since every other tenant, network and node is made through the admin
-- functions (createTenant, createNetwork, registerNode), which need an administrator's token to call.
-- An upsert, so a second `up` changes nothing. scripts/dev sets the token's hash first.

INSERT INTO tenant (id, name, api_key_sha256, is_admin)
VALUES ('admin', 'administrator', @admin_token_sha256, TRUE)
ON DUPLICATE KEY UPDATE api_key_sha256 = VALUES(api_key_sha256);
