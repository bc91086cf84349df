-- +goose Up
-- The change log: one row per committed write that changed what a
-- replica's read cache keeps (store/changes.go), saying whose assignments
-- it changed or that anything may have. Replicas read it to forget only
-- what changed. AUTOINCREMENT: a seq is never used twice, even after the
-- newest rows are pruned, so that "after seq N" never misses a row.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    origin     TEXT NOT NULL,
    everything BOOLEAN NOT NULL,
    users      TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX changes_at ON changes (at);

-- +goose Down
DROP TABLE changes;
