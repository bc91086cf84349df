-- +goose Up
-- The outbox is read by state only for the notices waiting for delivery:
-- index just those, so that the index stays as small as the backlog and
-- a notice kept locally or already sent costs no entry in it.
DROP INDEX notices_state;
CREATE INDEX notices_pending ON notices (state, id) WHERE state = 'pending';

-- +goose Down
DROP INDEX notices_pending;
CREATE INDEX notices_state ON notices (state, id);
