-- +goose Up
-- A notice keeps what it shows (its template's data, sealed) and is
-- rendered when it is sent or read, instead of keeping both rendered
-- bodies: a change writes a few hundred bytes per notice, not kilobytes.
-- Notices written before keep their bodies, and template_data stays empty.
ALTER TABLE notices ADD COLUMN template_data TEXT NOT NULL DEFAULT '';

-- +goose Down
-- Notices written since the upgrade have no rendered body: going down
-- leaves them with a subject only.
ALTER TABLE notices DROP COLUMN template_data;
