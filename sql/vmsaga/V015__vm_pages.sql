-- listVms pages by key (created_at, id) within a tenant: one range scan per page at any depth.
ALTER TABLE vm ADD KEY vm_tenant_page (tenant_id, created_at, id);
