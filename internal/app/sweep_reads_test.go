package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSweep_ForgetsOnlyTheExpired: when the sweep removes an ended partner
// grant, the read cache forgets what it kept of that user alone (issue 15:
// access checks keep their speed while the sweep runs). Another user's
// access check is still answered without a statement; the partner's is
// read again and finds the grant gone, in this process at once and on
// another replica within 100 ms. R-PARTNER-2
func TestSweep_ForgetsOnlyTheExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cUser.ID, domain.RoleCustomerUser)
		now := w.clock.Now()
		grant := &domain.Assignment{ID: domain.NewID("asg", now), SiteID: w.site.ID, UserID: w.pAgent.ID, Role: domain.RolePartnerAgent,
			Via: domain.ViaPartner, ExpiresAt: now.Add(time.Hour), CreatedBy: w.cAdmin.User.ID, CreatedAt: now}
		if err := db.Write(w.ctx, func(tx *store.Tx) error { return tx.CreateAssignment(w.ctx, grant) }); err != nil {
			t.Fatal(err)
		}
		otherDB := storetest.Again(t, db)
		other, _ := newAppWith(t, otherDB, w.clock, nil)
		w.clock.Add(2 * time.Hour)

		// access answers userID's access check on a, and counts the
		// statements a's database ran for it.
		access := func(a *app.App, adb *store.DB, userID string) (domain.AccessDecision, uint64) {
			t.Helper()
			before := adb.Statements()
			d := must(t, of(a.Access(w.ctx, app.System, w.site.ID, userID, "")))
			return d, adb.Statements() - before
		}
		// cached waits until userID's access check is answered from a's
		// cache, and returns the answer.
		cached := func(a *app.App, adb *store.DB, userID string) (d domain.AccessDecision) {
			t.Helper()
			untilCached(t, adb, userID+"'s access check", func() { d, _ = access(a, adb, userID) })
			return d
		}
		for _, r := range []struct {
			a  *app.App
			db *store.DB
		}{{w.app, db}, {other, otherDB}} {
			if d := cached(r.a, r.db, w.pAgent.ID); d.Allowed || !strings.Contains(d.Reason, "expired") {
				t.Fatalf("before the sweep, the ended grant: %+v, want refused as expired", d)
			}
			if d := cached(r.a, r.db, w.cUser.ID); !d.Allowed {
				t.Fatalf("before the sweep, the customer's user: %+v, want allowed", d)
			}
		}

		if res := must(t, of(w.app.Sweep(w.ctx))); res.Expired != 1 {
			t.Fatalf("the sweep expired %d grants, want 1", res.Expired)
		}
		if d, n := access(w.app, db, w.cUser.ID); n != 0 || !d.Allowed {
			t.Errorf("after the sweep, the customer's user's access check ran %d statements (%+v), want 0 and allowed", n, d)
		}
		const gone = "not assigned"
		if d, n := access(w.app, db, w.pAgent.ID); n == 0 || !strings.Contains(d.Reason, gone) {
			t.Errorf("after the sweep, the partner's access check ran %d statements: %+v, want it read again and %q", n, d, gone)
		}
		withinReplication(t, "the other replica finds the partner's grant gone", func() bool {
			d, _ := access(other, otherDB, w.pAgent.ID)
			return strings.Contains(d.Reason, gone)
		})
		if d, n := access(other, otherDB, w.cUser.ID); n != 0 || !d.Allowed {
			t.Errorf("after the sweep, the other replica's check of the customer's user ran %d statements (%+v), want 0", n, d)
		}
	})
}
