-- +goose Up
-- users.last_active_at: the person's last sign-in or use of the portal by
-- any way in (password, the organisation's provider, an API token, a
-- site's application), for dormant users (R-AUDIT-2, R-PLUS-4). NULL: never.
ALTER TABLE users ADD COLUMN last_active_at INTEGER;
UPDATE users SET last_active_at = (SELECT MAX(s.created_at) FROM sessions s WHERE s.user_id = users.id);

-- +goose Down
ALTER TABLE users DROP COLUMN last_active_at;
