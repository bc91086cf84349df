-- +goose Up
-- oidc_clients: the applications of sites that sign people in through
-- Provisio's OpenID provider (R-APP-2). A confidential client's secret is
-- kept as a hash only.
CREATE TABLE oidc_clients (
    id               TEXT PRIMARY KEY,
    site_id          TEXT NOT NULL REFERENCES sites (id),
    name             TEXT NOT NULL,
    public           BOOLEAN NOT NULL DEFAULT FALSE,
    secret_hash      TEXT NOT NULL DEFAULT '',
    redirect_uris    TEXT NOT NULL,
    post_logout_uris TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    deleted_at       BIGINT
);
CREATE INDEX oidc_clients_site ON oidc_clients (site_id, id);

-- oidc_auth_requests: sign-ins in progress: who signed in, in which
-- portal session (its hash; only that browser may fetch the code), and the
-- code once issued (its hash).
CREATE TABLE oidc_auth_requests (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES oidc_clients (id),
    site_id        TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT '',
    nonce          TEXT NOT NULL DEFAULT '',
    response_type  TEXT NOT NULL,
    response_mode  TEXT NOT NULL DEFAULT '',
    challenge      TEXT NOT NULL DEFAULT '',
    challenge_algo TEXT NOT NULL DEFAULT '',
    company        TEXT NOT NULL DEFAULT '',
    prompt         TEXT NOT NULL DEFAULT '',
    max_age        INTEGER NOT NULL DEFAULT -1,
    user_id        TEXT NOT NULL DEFAULT '',
    session_hash   TEXT NOT NULL DEFAULT '',
    auth_time      BIGINT,
    code_hash      TEXT UNIQUE,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);

-- oidc_tokens: access and refresh tokens issued; a refresh token's secret
-- is kept as a hash. A family is every token that descends from one
-- sign-in: a refresh token used twice revokes it all.
CREATE TABLE oidc_tokens (
    id           TEXT PRIMARY KEY,
    refresh      BOOLEAN NOT NULL,
    secret_hash  TEXT UNIQUE,
    client_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    site_id      TEXT NOT NULL,
    company      TEXT NOT NULL DEFAULT '',
    family       TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    auth_time    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX oidc_tokens_user ON oidc_tokens (user_id, client_id);
CREATE INDEX oidc_tokens_site ON oidc_tokens (site_id, user_id, auth_time);
CREATE INDEX oidc_tokens_family ON oidc_tokens (family);

-- oidc_keys: the provider's signing keys, private halves sealed; every
-- replica signs with the newest and publishes all not yet retired.
CREATE TABLE oidc_keys (
    id          TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retire_at   BIGINT NOT NULL
);

-- oidc_state: the key the provider encrypts its opaque access tokens
-- with, sealed, the same on every replica.
CREATE TABLE oidc_state (
    id         INTEGER PRIMARY KEY,
    crypto_key TEXT NOT NULL
);

-- +goose Down
DROP TABLE oidc_state;
DROP TABLE oidc_keys;
DROP TABLE oidc_tokens;
DROP TABLE oidc_auth_requests;
DROP TABLE oidc_clients;
