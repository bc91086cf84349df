-- +goose Up
CREATE TABLE orgs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('vendor', 'partner', 'customer')),
    name            TEXT NOT NULL,
    partner_id      TEXT REFERENCES orgs (id),
    demo            INTEGER NOT NULL DEFAULT 0,
    main_contact_id TEXT,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX orgs_one_vendor ON orgs (kind) WHERE kind = 'vendor';
CREATE INDEX orgs_partner ON orgs (partner_id, id);

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    org_id            TEXT REFERENCES orgs (id),
    type              TEXT NOT NULL,
    email             TEXT NOT NULL,
    name              TEXT NOT NULL,
    roles             TEXT NOT NULL,
    state             TEXT NOT NULL,
    generic           INTEGER NOT NULL DEFAULT 0,
    password_hash     TEXT NOT NULL DEFAULT '',
    invite_expires_at INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email_live ON users (email) WHERE state <> 'deleted';
CREATE INDEX users_org ON users (org_id, id);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX invitations_user ON invitations (user_id);

CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    new_email  TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX email_changes_user ON email_changes (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

CREATE TABLE sites (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES orgs (id),
    name            TEXT NOT NULL,
    edition         TEXT NOT NULL CHECK (edition IN ('standard', 'professional')),
    state           TEXT NOT NULL,
    suspend_reason  TEXT NOT NULL DEFAULT '',
    suspend_until   INTEGER,
    purge_at        INTEGER,
    provision_error TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX sites_customer ON sites (customer_id, id);

CREATE TABLE companies (
    id         TEXT PRIMARY KEY,
    site_id    TEXT NOT NULL REFERENCES sites (id),
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX companies_site_name ON companies (site_id, name);

CREATE TABLE site_assignments (
    id         TEXT PRIMARY KEY,
    site_id    TEXT NOT NULL REFERENCES sites (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL,
    via        TEXT NOT NULL,
    expires_at INTEGER,
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX site_assignments_site_user ON site_assignments (site_id, user_id);
CREATE INDEX site_assignments_user ON site_assignments (user_id);

CREATE TABLE company_assignments (
    company_id TEXT NOT NULL REFERENCES companies (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    site_id    TEXT NOT NULL REFERENCES sites (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (company_id, user_id)
);
CREATE INDEX company_assignments_user_site ON company_assignments (user_id, site_id);

CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_org_id TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    before_json  TEXT NOT NULL,
    after_json   TEXT NOT NULL,
    remote_addr  TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, seq);
CREATE INDEX audit_log_object ON audit_log (object_id, seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE notices (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    to_user_id TEXT NOT NULL,
    to_email   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    state      TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
);
CREATE INDEX notices_to ON notices (to_email, id);

-- +goose Down
DROP TABLE notices;
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE company_assignments;
DROP TABLE site_assignments;
DROP TABLE companies;
DROP TABLE sites;
DROP TABLE api_tokens;
DROP TABLE email_changes;
DROP TABLE invitations;
DROP TABLE users;
DROP TABLE orgs;
