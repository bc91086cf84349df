-- +goose Up
-- site_directories: a professional site's LDAP directory, where each
-- person let into the site gets an account (R-APP-3). Set by operators;
-- bind_password is sealed.
CREATE TABLE site_directories (
    site_id       TEXT PRIMARY KEY REFERENCES sites (id),
    url           TEXT NOT NULL,
    start_tls     BOOLEAN NOT NULL DEFAULT FALSE,
    ca_pem        TEXT NOT NULL DEFAULT '',
    bind_dn       TEXT NOT NULL,
    bind_password TEXT NOT NULL,
    base_dn       TEXT NOT NULL,
    flavor        TEXT NOT NULL,
    login_attr    TEXT NOT NULL DEFAULT '',
    updated_by    TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- directory_accounts: the account of a person in a site's directory and
-- where it stands: creating (the one-time password is chosen, the
-- directory not yet told), active, disabling (access ended, the directory
-- not yet told), disabled. password is the sealed one-time password,
-- kept until its owner has seen it once.
CREATE TABLE directory_accounts (
    id         TEXT PRIMARY KEY,
    site_id    TEXT NOT NULL REFERENCES sites (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    dn         TEXT NOT NULL,
    state      TEXT NOT NULL,
    password   TEXT NOT NULL DEFAULT '',
    shown_at   BIGINT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX directory_accounts_site_user ON directory_accounts (site_id, user_id);
CREATE INDEX directory_accounts_user ON directory_accounts (user_id);
CREATE INDEX directory_accounts_state ON directory_accounts (state, site_id);

-- +goose Down
DROP TABLE directory_accounts;
DROP TABLE site_directories;
