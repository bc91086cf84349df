-- +goose Up
-- R-PLUS-4: an organisation may lock its users who have not signed in for
-- the dormancy period; named break-glass accounts are exempt; a warning
-- goes out a week before (dormancy_warnings: when, once per quiet spell).
ALTER TABLE orgs ADD COLUMN lock_dormant INTEGER NOT NULL DEFAULT 0;
CREATE TABLE dormancy_exempt (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    reason     TEXT NOT NULL,
    set_by     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE dormancy_warnings (
    user_id   TEXT PRIMARY KEY REFERENCES users (id),
    warned_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE dormancy_warnings;
DROP TABLE dormancy_exempt;
ALTER TABLE orgs DROP COLUMN lock_dormant;
