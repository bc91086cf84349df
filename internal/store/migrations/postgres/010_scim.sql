-- +goose Up
-- scim_tokens: the secrets that SCIM clients present. An organisation
-- token (site_id NULL) lets the organisation's identity provider manage
-- its users (R-APP-4); a site token lets the site's application read the
-- site's users (R-APP-1). Only a hash of each token is kept.
CREATE TABLE scim_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs (id),
    site_id      TEXT REFERENCES sites (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX scim_tokens_org ON scim_tokens (org_id, id);

-- scim_users: the identity provider's record of each user it provisioned:
-- its own name for the user and the attributes it sent (doc, JSON), which
-- Provisio keeps and returns but does not use.
CREATE TABLE scim_users (
    user_id       TEXT PRIMARY KEY REFERENCES users (id),
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    user_name     TEXT NOT NULL,
    user_name_key TEXT NOT NULL,
    external_id   TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    given_name    TEXT NOT NULL DEFAULT '',
    family_name   TEXT NOT NULL DEFAULT '',
    formatted     TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL,
    doc           TEXT NOT NULL,
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX scim_users_name ON scim_users (org_id, user_name_key);

-- scim_user_emails: the email addresses of scim_users, one row each, so
-- that filters on emails run in SQL.
CREATE TABLE scim_user_emails (
    user_id   TEXT NOT NULL REFERENCES users (id),
    pos       BIGINT NOT NULL,
    value     TEXT NOT NULL,
    value_key TEXT NOT NULL,
    type      TEXT NOT NULL DEFAULT '',
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, pos)
);
CREATE INDEX scim_user_emails_value ON scim_user_emails (value_key);

-- scim_groups: the identity provider's groups of an organisation; a
-- group whose name is mapped to a role gives its members that role.
CREATE TABLE scim_groups (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs (id),
    display_name TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    external_id  TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX scim_groups_org ON scim_groups (org_id, id);

CREATE TABLE scim_group_members (
    group_id TEXT NOT NULL REFERENCES scim_groups (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    display  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX scim_group_members_user ON scim_group_members (user_id);

-- scim_group_roles: the organisation administrators' mapping from a group
-- name (compared case-insensitively) to a role.
CREATE TABLE scim_group_roles (
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    name_key   TEXT NOT NULL,
    group_name TEXT NOT NULL,
    role       TEXT NOT NULL,
    PRIMARY KEY (org_id, name_key)
);

-- site_links: the site application's own account for a portal user
-- (R-APP-1), set through SCIM as externalId.
CREATE TABLE site_links (
    site_id     TEXT NOT NULL REFERENCES sites (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    external_id TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    PRIMARY KEY (site_id, user_id)
);

-- site_departures: when a user last lost an assignment to a site, so the
-- site's application sees the user inactive for a while (R-APP-1).
CREATE TABLE site_departures (
    site_id TEXT NOT NULL REFERENCES sites (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    left_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, user_id)
);
CREATE INDEX site_departures_left ON site_departures (site_id, left_at);

-- sites.assigned counts the site's assignments, kept by a trigger, so that
-- a page of a large site's user list does not count them all (R-APP-1);
-- sites.member_changes counts every change of them (departures change
-- with them), so that a remembered page start is known to be stale. The
-- lock keeps other replicas from assigning while the count is taken.
ALTER TABLE sites ADD COLUMN assigned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN member_changes BIGINT NOT NULL DEFAULT 0;
LOCK TABLE site_assignments IN SHARE MODE;
UPDATE sites SET assigned = (SELECT COUNT(*) FROM site_assignments a WHERE a.site_id = sites.id);
-- +goose StatementBegin
CREATE FUNCTION site_assigned_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE sites SET assigned = assigned + 1, member_changes = member_changes + 1 WHERE id = NEW.site_id;
    ELSE
        UPDATE sites SET assigned = assigned - 1, member_changes = member_changes + 1 WHERE id = OLD.site_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER site_assignments_counted AFTER INSERT OR DELETE ON site_assignments
    FOR EACH ROW EXECUTE FUNCTION site_assigned_count();

-- +goose Down
DROP TRIGGER site_assignments_counted ON site_assignments;
DROP FUNCTION site_assigned_count();
ALTER TABLE sites DROP COLUMN member_changes;
ALTER TABLE sites DROP COLUMN assigned;
DROP TABLE site_departures;
DROP TABLE site_links;
DROP TABLE scim_group_roles;
DROP TABLE scim_group_members;
DROP TABLE scim_groups;
DROP TABLE scim_user_emails;
DROP TABLE scim_users;
DROP TABLE scim_tokens;
