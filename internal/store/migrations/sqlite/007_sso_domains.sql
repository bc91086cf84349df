-- +goose Up
-- sso_domains: each email domain is claimed for single sign-on by one
-- organisation at most, and counts only once proven (a DNS TXT record, or
-- an operator's approval).
CREATE TABLE sso_domains (
    domain      TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    token       TEXT NOT NULL,
    verified_at INTEGER,
    verified_by TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX sso_domains_org ON sso_domains (org_id);

-- +goose Down
DROP TABLE sso_domains;
