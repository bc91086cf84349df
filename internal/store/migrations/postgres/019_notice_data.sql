-- +goose Up
-- A notice keeps what it shows (its template's data, sealed) and is
-- rendered when it is sent or read, instead of keeping both rendered
-- bodies: a change writes a few hundred bytes per notice, not kilobytes.
-- Notices written before keep their bodies, and data stays empty.
ALTER TABLE notices ADD COLUMN data TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notices DROP COLUMN data;
