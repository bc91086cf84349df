-- +goose Up
-- seal_state remembers the key every stored secret was last sealed with,
-- so that a start with the same key does not read them all again.
CREATE TABLE seal_state (
    id     INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL
);

-- +goose Down
DROP TABLE seal_state;
