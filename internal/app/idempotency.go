package app

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// IdempotencyTTL is how long a POST's Idempotency-Key is remembered.
const IdempotencyTTL = 24 * time.Hour

// DefaultIdempotencyLease is how long a request holds its key when
// Config.IdempotencyLease is not set.
const DefaultIdempotencyLease = 5 * time.Minute

// Replay is a remembered response to send again.
type Replay = domain.Idempotent

// ClaimIdempotencyKey starts a POST that carries an Idempotency-Key. scope
// names the caller (its credentials), so keys never collide across
// callers. It reports whether this request is the first; otherwise it
// returns what was stored for the key (Status 0: still running). A claim
// is a lease: one left running for longer than Config.IdempotencyLease
// belongs to a request that died, and the same request may take it over.
func (a *App) ClaimIdempotencyKey(ctx context.Context, scope, key, request string) (first bool, replay *Replay, err error) {
	lease := a.cfg.IdempotencyLease
	if lease <= 0 {
		lease = DefaultIdempotencyLease
	}
	now := a.now()
	err = a.db.Write(ctx, func(tx Tx) error {
		first, replay, err = tx.ClaimIdempotencyKey(ctx, identity.HashSecret(scope+"\x00"+key), identity.HashSecret(request), now, now.Add(-lease))
		return err
	})
	if err != nil {
		return false, nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	return first, replay, nil
}

// RequestMatches reports whether a replay belongs to the same request.
func RequestMatches(r *Replay, request string) bool {
	return r.RequestHash == identity.HashSecret(request)
}

// CompleteIdempotencyKey stores the response for replays; a response that
// is a server error is forgotten instead, so the client may try again.
// Callers should pass a context that outlives the client's connection:
// the work is done, and a key left unanswered refuses retries until its
// lease ends.
func (a *App) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, contentType, body string) error {
	h := identity.HashSecret(scope + "\x00" + key)
	err := a.db.Write(ctx, func(tx Tx) error {
		if status >= 500 {
			return tx.ForgetIdempotencyKey(ctx, h)
		}
		return tx.CompleteIdempotencyKey(ctx, h, status, contentType, body)
	})
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}
