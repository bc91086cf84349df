-- +goose Up
-- A person's notifications page reads their newest notices: through this
-- index, not by walking the whole outbox from its newest entry.
CREATE INDEX notices_user ON notices (to_user_id, id);

-- +goose Down
DROP INDEX notices_user;
