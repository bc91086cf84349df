package app_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestDormancy_WarnThenLock: where the organisation turns it on, a user
// quiet for the dormancy period is warned a week before and then locked,
// audited; signing in meanwhile keeps the account; a break-glass account
// is never locked; organisations that did not turn it on lock nobody.
// R-PLUS-4
func TestDormancy_WarnThenLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		on := true
		must(t, of(w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{LockDormant: &on})))
		if err := w.app.SetBreakGlass(w.ctx, w.cAdmin, w.cAdmin2.ID, true, ""); domain.ErrorRule(err) != "R-PLUS-4" {
			t.Fatalf("an exemption without a reason: %v", err)
		}
		if err := w.app.SetBreakGlass(w.ctx, w.cAdmin, w.cAdmin2.ID, true, "emergency access for the on-call desk"); err != nil {
			t.Fatal(err)
		}
		if err := w.app.SetBreakGlass(w.ctx, w.cOps, w.cUser.ID, true, "mine"); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("a non-administrator set an exemption: %v", err)
		}
		must(t, of(w.app.SignIn(w.ctx, app.Credentials{Email: w.cOps.User.Email, Password: testPassword})))

		w.clock.Add(84 * 24 * time.Hour) // a week before the 90 days
		r := must(t, of(w.app.Sweep(w.ctx)))
		if r.DormantLocked != 0 || len(w.mailed(w.cOps.User.Email, domain.NoticeDormancyWarning)) != 1 {
			t.Fatalf("the week before: %+v, warnings %d", r, len(w.mailed(w.cOps.User.Email, domain.NoticeDormancyWarning)))
		}
		if len(w.mailed(w.cAdmin2.Email, domain.NoticeDormancyWarning)) != 0 || len(w.mailed(w.pAgent.Email, domain.NoticeDormancyWarning)) != 0 {
			t.Fatal("an exempt user, or one of an organisation that did not turn it on, was warned")
		}
		must(t, of(w.app.Sweep(w.ctx))) // warned once per quiet spell
		if n := len(w.mailed(w.cOps.User.Email, domain.NoticeDormancyWarning)); n != 1 {
			t.Fatalf("%d warnings", n)
		}
		// Uma signs in meanwhile; Oscar does not.
		must(t, of(w.app.SignIn(w.ctx, app.Credentials{Email: w.cUser.Email, Password: testPassword})))

		w.clock.Add(8 * 24 * time.Hour)
		r = must(t, of(w.app.Sweep(w.ctx)))
		state := func(id string) domain.UserState { return must(t, of(w.app.User(w.ctx, w.op, id))).State }
		if r.DormantLocked == 0 || state(w.cOps.User.ID) != domain.UserLocked {
			t.Fatalf("the dormant user is %s: %+v", state(w.cOps.User.ID), r)
		}
		if state(w.cUser.ID) != domain.UserActive || state(w.cAdmin2.ID) != domain.UserActive || state(w.pAgent.ID) != domain.UserActive {
			t.Fatal("a user who signed in, a break-glass account, or another organisation's user was locked")
		}
		id := w.cOps.User.ID
		found := false
		for _, e := range must(t, of(w.app.Audit(w.ctx, w.op, domain.AuditFilter{ObjectID: &id}))) {
			found = found || e.Action == "user.lock_dormant"
		}
		if !found {
			t.Fatal("the lock is not in the activity log")
		}
	})
}
