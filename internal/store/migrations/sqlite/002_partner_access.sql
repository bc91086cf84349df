-- +goose Up
CREATE TABLE access_requests (
    id            TEXT PRIMARY KEY,
    site_id       TEXT NOT NULL REFERENCES sites (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    role          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('grant', 'extension')),
    state         TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    expires_at    INTEGER NOT NULL,
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    INTEGER,
    granted_until INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX access_requests_one_pending ON access_requests (site_id, user_id) WHERE state = 'pending';
CREATE INDEX access_requests_site ON access_requests (site_id, id);
CREATE INDEX access_requests_due ON access_requests (state, expires_at);

CREATE TABLE access_links (
    token_hash    TEXT PRIMARY KEY,
    action        TEXT NOT NULL CHECK (action IN ('approve', 'deny', 'extend')),
    request_id    TEXT NOT NULL DEFAULT '',
    assignment_id TEXT NOT NULL DEFAULT '',
    user_id       TEXT NOT NULL REFERENCES users (id),
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX access_links_request ON access_links (request_id);

ALTER TABLE site_assignments ADD COLUMN reminded_at INTEGER;
CREATE INDEX site_assignments_expiry ON site_assignments (expires_at);

ALTER TABLE notices ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
CREATE INDEX notices_state ON notices (state, id);

CREATE TABLE accountant_invites (
    site_id    TEXT NOT NULL REFERENCES sites (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    invited_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (site_id, user_id)
);
CREATE INDEX accountant_invites_user ON accountant_invites (user_id);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX webhooks_org ON webhooks (org_id, id);

CREATE TABLE webhook_deliveries (
    id           TEXT PRIMARY KEY,
    webhook_id   TEXT NOT NULL REFERENCES webhooks (id),
    event        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_state ON webhook_deliveries (state, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE accountant_invites;
DROP INDEX notices_state;
ALTER TABLE notices DROP COLUMN body_html;
DROP INDEX site_assignments_expiry;
ALTER TABLE site_assignments DROP COLUMN reminded_at;
DROP TABLE access_links;
DROP TABLE access_requests;
