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
    -- microseconds since the epoch by the database's clock, for pruning
    at         INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
);
CREATE INDEX changes_at ON changes (at);

-- +goose Down
DROP TABLE changes;
