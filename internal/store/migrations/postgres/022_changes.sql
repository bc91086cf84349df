-- +goose Up
-- The change log: one row per committed write that changed what a
-- replica's read cache keeps (store/changes.go), saying whose assignments
-- it changed or that anything may have. Replicas read the rows that
-- committed since their last snapshot, by the writer's transaction id:
-- ids are given out before commit, so a sequence number would let a
-- late commit slip behind one already read.
CREATE TABLE changes (
    xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    origin     TEXT NOT NULL,
    everything BOOLEAN NOT NULL,
    users      TEXT NOT NULL,
    -- microseconds since the epoch by the database's clock, for pruning:
    -- the replicas' clocks may disagree
    at         BIGINT NOT NULL DEFAULT (EXTRACT(EPOCH FROM now()) * 1000000)::BIGINT
);
CREATE INDEX changes_xid ON changes (xid);
CREATE INDEX changes_at ON changes (at);

-- +goose Down
DROP TABLE changes;
