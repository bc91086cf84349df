package app_test

import (
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestAuthenticate_LockSeenEverywhere: a token's caller is kept in the
// read cache, but a lock made in this process refuses the token at once,
// and one made by another replica (another App on its own connection pool
// to the same database) within 100 ms (issue 15). R-USER-5
func TestAuthenticate_LockSeenEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		uma := w.token(w.cUser.Email)
		must(t, of(w.app.Authenticate(w.ctx, uma, "")))
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		if _, err := w.app.Authenticate(w.ctx, uma, ""); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("right after the lock, in the same process: %v", err)
		}
		must(t, of(w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		uma = w.token(w.cUser.Email) // a lock ends the tokens it had

		other, _ := newAppWith(t, storetest.Again(t, db), w.clock, nil) // a second replica
		must(t, of(other.Authenticate(w.ctx, uma, "")))
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		withinReplication(t, "the other replica refuses the locked user", func() bool {
			_, err := other.Authenticate(w.ctx, uma, "")
			return domain.ErrorCode(err) == domain.EUnauthorized
		})
	})
}
