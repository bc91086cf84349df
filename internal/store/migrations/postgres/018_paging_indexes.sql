-- +goose Up
-- Indexes that serve the lists' cursor order, so that a page costs the
-- same whatever the size of the tenant (no sort of every match): a site's
-- users by assignment, a partner user's requests, a site's departures by
-- user (the SCIM list's merge).
CREATE INDEX site_assignments_site_id ON site_assignments (site_id, id);
CREATE INDEX access_requests_user ON access_requests (user_id, id);
CREATE INDEX site_departures_site_user ON site_departures (site_id, user_id);
-- An organisation's active administrators, told of every change (OrgAdmins),
-- without reading all its users.
CREATE INDEX users_org_admins ON users (org_id, id) WHERE state = 'active' AND roles LIKE '%admin%';

-- +goose Down
DROP INDEX users_org_admins;
DROP INDEX site_departures_site_user;
DROP INDEX access_requests_user;
DROP INDEX site_assignments_site_id;
