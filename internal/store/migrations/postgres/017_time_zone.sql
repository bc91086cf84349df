-- +goose Up
-- users.time_zone: the IANA zone a person reads dates in, on the pages
-- and in the notices sent to them ('' for UTC).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN time_zone;
