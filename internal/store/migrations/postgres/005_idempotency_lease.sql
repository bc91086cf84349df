-- +goose Up
-- claimed_at is when the running request took the key: a claim older
-- than the lease belongs to a request that died and may be taken over.
ALTER TABLE idempotency_keys ADD COLUMN claimed_at BIGINT NOT NULL DEFAULT 0;
UPDATE idempotency_keys SET claimed_at = created_at;

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN claimed_at;
