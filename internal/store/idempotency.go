package store

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// ClaimIdempotencyKey records a new key, claimed at now; it reports false
// when the key is known, with what was stored for it. A claim still
// running (status 0) from before staleBefore, for the same request, is
// taken over as if new: the request that made it died without an answer.
func (tx *Tx) ClaimIdempotencyKey(ctx context.Context, keyHash, requestHash string, now, staleBefore time.Time) (bool, *domain.Idempotent, error) {
	n, err := tx.exec(ctx, `INSERT INTO idempotency_keys (key_hash, request_hash, created_at, claimed_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (key_hash) DO NOTHING`, keyHash, requestHash, ts(now))
	if err != nil || n == 1 {
		return n == 1, nil, err
	}
	n, err = tx.exec(ctx, `UPDATE idempotency_keys SET claimed_at = $3
		WHERE key_hash = $1 AND request_hash = $2 AND status = 0 AND claimed_at < $4`,
		keyHash, requestHash, ts(now), ts(staleBefore))
	if err != nil || n == 1 {
		return n == 1, nil, err
	}
	var i domain.Idempotent
	err = tx.q.QueryRowContext(ctx, `SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE key_hash = $1`, keyHash).
		Scan(&i.RequestHash, &i.Status, &i.ContentType, &i.Body)
	return false, &i, translate(err)
}

// CompleteIdempotencyKey stores the response of the request that claimed
// the key.
func (tx *Tx) CompleteIdempotencyKey(ctx context.Context, keyHash string, status int, contentType, body string) error {
	_, err := tx.exec(ctx, `UPDATE idempotency_keys SET status = $2, content_type = $3, body = $4 WHERE key_hash = $1`,
		keyHash, status, contentType, body)
	return err
}

// ForgetIdempotencyKey drops a key, so the request may be tried again.
func (tx *Tx) ForgetIdempotencyKey(ctx context.Context, keyHash string) error {
	_, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE key_hash = $1`, keyHash)
	return err
}

// ForgetIdempotencyKeysBefore drops keys older than t.
func (tx *Tx) ForgetIdempotencyKeysBefore(ctx context.Context, t time.Time) (int64, error) {
	return tx.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, ts(t))
}
