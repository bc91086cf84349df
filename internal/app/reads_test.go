package app_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestAccess_ChangesSeenEverywhere: the access check answers from a read
// cache, yet what ends access is seen at once by the replica that made
// the change, and within 100 ms by another replica (another App on its
// own connection pool to the same database): a removal, a lock, and the
// end of a partner's grant, which needs no write at all (issue 15).
// R-APP-2 R-USER-5 R-PARTNER-2
func TestAccess_ChangesSeenEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		other, _ := newAppWith(t, storetest.Again(t, db), w.clock, nil)
		allowed := func(a *app.App, userID string) bool {
			t.Helper()
			return must(t, of(a.Access(w.ctx, app.System, w.site.ID, userID, ""))).Allowed
		}
		// warm asks both replicas for a while, so that both keep the answer.
		warm := func(userID string, want bool) {
			t.Helper()
			for end := time.Now().Add(60 * time.Millisecond); time.Now().Before(end); time.Sleep(time.Millisecond) {
				if allowed(w.app, userID) != want || allowed(other, userID) != want {
					t.Fatalf("before the change, %s allowed should be %v", userID, want)
				}
			}
		}
		// seen checks that this replica refuses at once, and the other
		// within 100 ms.
		seen := func(what, userID string) {
			t.Helper()
			changed := time.Now()
			if allowed(w.app, userID) {
				t.Fatalf("%s: the replica that made it still allows access", what)
			}
			withinReplication(t, what+": the other replica refuses access", func() bool { return !allowed(other, userID) })
			t.Logf("%s: seen by the other replica after %v", what, time.Since(changed))
		}

		w.assign(w.cUser.ID, "")
		warm(w.cUser.ID, true)
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		seen("lock", w.cUser.ID)

		must(t, of(w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		for !allowed(other, w.cUser.ID) { // the unlock reaches it too
			time.Sleep(time.Millisecond)
		}
		warm(w.cUser.ID, true)
		if err := w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""); err != nil {
			t.Fatal(err)
		}
		seen("removal", w.cUser.ID)

		// A partner's grant ends by the clock: neither replica waits for
		// the expiry job, nor for its cache.
		agent := w.actor(w.pAgent.ID)
		req := must(t, of(w.app.RequestAccess(w.ctx, agent, w.site.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, time.Hour)))
		for !allowed(other, w.pAgent.ID) {
			time.Sleep(time.Millisecond)
		}
		warm(w.pAgent.ID, true)
		w.clock.Add(time.Hour + time.Second)
		if allowed(w.app, w.pAgent.ID) || allowed(other, w.pAgent.ID) {
			t.Fatal("R-PARTNER-2: a grant past its end still allows access")
		}
	})
}

// TestReadCache_KeepsTenantsApart: the read cache keeps each answer under
// the scope of the one who asked, so a site, a user or a company read by
// an operator or by its own tenant is still "not found" to another
// tenant asking right after, and a "not found" kept for that tenant does
// not hide the row from its own (issue 15). R-ORG-1
func TestReadCache_KeepsTenantsApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t2 := w.secondTenant()
		w.assign(w.cUser.ID, "")
		// Ask over and over, so that every answer below comes from the
		// cache once the store's version is current.
		for end := time.Now().Add(60 * time.Millisecond); time.Now().Before(end); time.Sleep(time.Millisecond) {
			for _, act := range []app.Actor{w.op, w.cAdmin} {
				must(t, of(w.app.Site(w.ctx, act, w.site.ID)))
				must(t, of(w.app.User(w.ctx, act, w.cUser.ID)))
				must(t, of(w.app.Access(w.ctx, act, w.site.ID, w.cUser.ID, w.company.ID)))
			}
			if _, err := w.app.Site(w.ctx, t2.cAdmin, w.site.ID); domain.ErrorCode(err) != domain.ENotFound {
				t.Fatalf("another tenant reads the site: %v", err)
			}
			if _, err := w.app.User(w.ctx, t2.cAdmin, w.cUser.ID); domain.ErrorCode(err) != domain.ENotFound {
				t.Fatalf("another tenant reads the user: %v", err)
			}
			if _, err := w.app.Access(w.ctx, t2.cAdmin, w.site.ID, w.cUser.ID, ""); domain.ErrorCode(err) != domain.ENotFound {
				t.Fatalf("another tenant asks about access on the site: %v", err)
			}
			if _, err := w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, t2.company.ID); domain.ErrorCode(err) != domain.ENotFound {
				t.Fatalf("a company of another tenant: %v", err)
			}
		}
	})
}
