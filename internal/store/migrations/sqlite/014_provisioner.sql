-- +goose Up
-- provisioner_calls: the events sent to the vendor's site provisioner
-- (R-SITE-0), an outbox like webhook_deliveries: a request to build a
-- site, and each later change of its state.
CREATE TABLE provisioner_calls (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites (id),
    event        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX provisioner_calls_site ON provisioner_calls (site_id, id);
CREATE INDEX provisioner_calls_state ON provisioner_calls (state, id);

-- provisioner_callbacks: the signatures of the provisioner's callbacks
-- already taken, so that a replayed callback is refused; kept for as
-- long as a signature's timestamp is accepted.
CREATE TABLE provisioner_callbacks (
    signature TEXT PRIMARY KEY,
    seen_at   INTEGER NOT NULL
);

-- +goose Down
DROP TABLE provisioner_callbacks;
DROP TABLE provisioner_calls;
