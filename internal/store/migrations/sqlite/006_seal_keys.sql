-- +goose Up
-- seal_keys holds the key that seals stored secrets when no key is set
-- in the settings (zero setup); with --secrets-keys it is emptied.
CREATE TABLE seal_keys (
    id         TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE seal_keys;
