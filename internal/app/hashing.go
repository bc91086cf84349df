package app

import (
	"context"
	"runtime"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// Password hashing is the costliest thing a request can ask for: each
// argon2id check takes Argon2.Memory of memory. At most Config.MaxHashing
// run at once; others wait their turn up to Config.HashWait, then are told
// to try again (429), so a burst of sign-ins cannot exhaust memory.

// errBusy refuses a hash that found no slot in time.
var errBusy = &domain.Error{Code: domain.EThrottled, Message: "too many sign-ins at once; try again in a moment"}

// defaultMaxHashing is the number of concurrent password hashes when the
// configuration does not say: enough to use the processors, few enough to
// bound memory.
func defaultMaxHashing() int { return max(2, runtime.NumCPU()) }

// withHashSlot runs fn while holding one of the hashing slots.
func (a *App) withHashSlot(ctx context.Context, fn func()) error {
	wait := a.cfg.HashWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case a.hashSlots <- struct{}{}:
	case <-t.C:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.hashSlots }()
	fn()
	return nil
}

// passwordMatches checks password against hash in a hashing slot.
func (a *App) passwordMatches(ctx context.Context, hash, password string) (ok bool, err error) {
	err = a.withHashSlot(ctx, func() { ok = identity.CheckPassword(hash, password) == nil })
	return ok, err
}

// hashPassword hashes a new password in a hashing slot.
func (a *App) hashPassword(ctx context.Context, password string) (hash string, err error) {
	if slotErr := a.withHashSlot(ctx, func() { hash, err = identity.HashPassword(password, a.cfg.Argon2) }); slotErr != nil {
		return "", slotErr
	}
	return hash, err
}
