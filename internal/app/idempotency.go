package app

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/store"
)

// IdempotencyTTL is how long a POST's Idempotency-Key is remembered.
const IdempotencyTTL = 24 * time.Hour

// Replay is a remembered response to send again.
type Replay = store.Idempotent

// ClaimIdempotencyKey starts a POST that carries an Idempotency-Key. scope
// names the caller (its credentials), so keys never collide across
// callers. It reports whether this request is the first; otherwise it
// returns what was stored for the key (Status 0: still running).
func (a *App) ClaimIdempotencyKey(ctx context.Context, scope, key, request string) (first bool, replay *Replay, err error) {
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		first, replay, err = tx.ClaimIdempotencyKey(ctx, identity.HashSecret(scope+"\x00"+key), identity.HashSecret(request), a.now())
		return err
	})
	return first, replay, err
}

// RequestMatches reports whether a replay belongs to the same request.
func RequestMatches(r *Replay, request string) bool {
	return r.RequestHash == identity.HashSecret(request)
}

// CompleteIdempotencyKey stores the response for replays; a response that
// is a server error is forgotten instead, so the client may try again.
func (a *App) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, contentType, body string) error {
	h := identity.HashSecret(scope + "\x00" + key)
	return a.db.Write(ctx, func(tx *store.Tx) error {
		if status >= 500 {
			return tx.ForgetIdempotencyKey(ctx, h)
		}
		return tx.CompleteIdempotencyKey(ctx, h, status, contentType, body)
	})
}
