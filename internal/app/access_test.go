package app_test

import (
	"slices"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// token issues an API token for the user and returns its secret.
func (w *world) token(email string) string {
	w.t.Helper()
	secret, _, err := w.app.IssueToken(w.ctx, "127.0.0.1", email, testPassword, "test")
	if err != nil {
		w.t.Fatalf("token for %s: %v", email, err)
	}
	return secret
}

// TestLockUser_RemovesAccessAtOnce checks that locking a user ends its
// API tokens and its access to every site at once, keeping the
// assignments, and that unlocking restores them (R-USER-5).
func TestLockUser_RemovesAccessAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		site2 := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-test", Edition: domain.EditionStandard})))
		w.assign(w.cOps.User.ID, "")
		w.assign(w.cUser.ID, "")
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, site2.ID, w.cUser.ID, "")))
		if err := w.app.AssignCompany(w.ctx, w.cOps, w.company.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		secret := w.token(w.cUser.Email)
		if _, err := w.app.Authenticate(w.ctx, secret, ""); err != nil {
			t.Fatal(err)
		}
		checks := []struct{ site, company string }{{w.site.ID, ""}, {w.site.ID, w.company.ID}, {site2.ID, ""}}
		for _, c := range checks {
			if d := must(t, of(w.app.Access(w.ctx, w.cAdmin, c.site, w.cUser.ID, c.company))); !d.Allowed {
				t.Fatalf("before lock %+v: %+v", c, d)
			}
		}

		seq := auditHead(t, db)
		locked, err := w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)
		if err != nil {
			t.Fatal(err)
		}
		if locked.State != domain.UserLocked {
			t.Errorf("state %s", locked.State)
		}
		if got := actions(w.auditAfter(seq)); !slices.Equal(got, []string{"user.lock"}) {
			t.Errorf("audit = %v", got)
		}
		for _, c := range checks {
			d := must(t, of(w.app.Access(w.ctx, w.cAdmin, c.site, w.cUser.ID, c.company)))
			if d.Allowed || d.Reason != "the user is locked" {
				t.Errorf("locked user's access %+v: %+v", c, d)
			}
		}
		_, err = w.app.Authenticate(w.ctx, secret, "")
		wantCode(t, err, domain.EUnauthorized, "")
		_, _, err = w.app.IssueToken(w.ctx, "", w.cUser.Email, testPassword, "again")
		wantCode(t, err, domain.EUnauthorized, "")
		// The assignments are kept for the unlock.
		rows := must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, w.site.ID, domain.Page{}))).Items
		var row *domain.SiteUser
		for _, r := range rows {
			if r.UserID == w.cUser.ID {
				row = r
			}
		}
		if row == nil || row.UserState != domain.UserLocked || !slices.Equal(row.Companies, []string{w.company.ID}) {
			t.Fatalf("locked user's row %+v", row)
		}

		if _, err := w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range checks {
			d := must(t, of(w.app.Access(w.ctx, w.cAdmin, c.site, w.cUser.ID, c.company)))
			if !d.Allowed || d.Role != domain.RoleCustomerUser || d.Via != domain.ViaMember {
				t.Errorf("after unlock %+v: %+v", c, d)
			}
		}
		act, err := w.app.Authenticate(w.ctx, w.token(w.cUser.Email), "")
		if err != nil || act.User.ID != w.cUser.ID {
			t.Errorf("sign in after unlock: %v", err)
		}
	})
}

// TestDeleteUser_RemovesAllAssignments checks that deleting a user
// removes every site and company assignment it had, each recorded, and
// that its tokens stop working (R-USER-5).
func TestDeleteUser_RemovesAllAssignments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		site2 := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-test", Edition: domain.EditionStandard})))
		w.assign(w.cOps.User.ID, "")
		a1 := w.assign(w.cUser.ID, "")
		a2 := must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, site2.ID, w.cUser.ID, "")))
		if err := w.app.AssignCompany(w.ctx, w.cOps, w.company.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		secret := w.token(w.cUser.Email)

		seq := auditHead(t, db)
		del, err := w.app.DeleteUser(w.ctx, w.cAdmin, w.cUser.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if del.State != domain.UserDeleted {
			t.Errorf("state %s", del.State)
		}
		es := w.auditAfter(seq)
		var removed []string
		for _, e := range es {
			if e.Action == "assignment.delete" {
				removed = append(removed, e.ObjectID)
				if e.OrgID != w.customer.ID || string(e.After) != "null" || e.ActorID != w.cAdmin.User.ID {
					t.Errorf("entry %+v", *e)
				}
			}
		}
		slices.Sort(removed)
		if want := sortedIDs(a1.ID, a2.ID); !slices.Equal(removed, want) {
			t.Errorf("removed assignments %v, want %v", removed, want)
		}
		if last := es[len(es)-1]; last.Action != "user.delete" || last.ObjectID != w.cUser.ID {
			t.Errorf("last entry %s %s", last.Action, last.ObjectID)
		}
		for _, s := range []string{w.site.ID, site2.ID} {
			for _, r := range must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, s, domain.Page{}))).Items {
				if r.UserID == w.cUser.ID {
					t.Errorf("deleted user still on site %s", s)
				}
			}
			d := must(t, of(w.app.Access(w.ctx, w.cAdmin, s, w.cUser.ID, "")))
			if d.Allowed || d.Reason != "the user is not assigned to the site" {
				t.Errorf("deleted user's access to %s: %+v", s, d)
			}
		}
		_, err = w.app.Authenticate(w.ctx, secret, "")
		wantCode(t, err, domain.EUnauthorized, "")
		// Its former company assignment does not linger for a newcomer either.
		rows := must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, w.site.ID, domain.Page{}))).Items
		if len(rows) != 1 || rows[0].UserID != w.cOps.User.ID {
			t.Errorf("rows after delete: %d", len(rows))
		}
	})
}

// TestAccess_Companies checks the company part of the access decision:
// users reach a company once assigned to it, operations agents reach all
// companies of their sites, administrators none, and a company of another
// site is refused (R-SITE-3, R-ROLE-2).
func TestAccess_Companies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cOps.User.ID, "")
		w.assign(w.cUser.ID, "")
		w.assign(w.cAdmin2.ID, "")
		other := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-test",
			Edition: domain.EditionStandard, Company: "Elsewhere Ltd"})))
		elsewhere := must(t, of(w.app.Companies(w.ctx, w.op, other.ID, domain.Page{}))).Items[0]
		c2 := must(t, of(w.app.CreateCompany(w.ctx, w.cOps, w.site.ID, "Acme Two")))

		check := func(name, user, company string, allowed bool, reason string) {
			t.Helper()
			d := must(t, of(w.app.Access(w.ctx, w.op, w.site.ID, user, company)))
			if d.Allowed != allowed || d.Reason != reason {
				t.Errorf("%s: %+v, want allowed=%v %q", name, d, allowed, reason)
			}
		}
		check("UserBeforeCompany", w.cUser.ID, w.company.ID, false, "the user is not assigned to the company")
		if err := w.app.AssignCompany(w.ctx, w.cOps, w.company.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		check("UserInCompany", w.cUser.ID, w.company.ID, true, "assigned to the company")
		check("UserOtherCompany", w.cUser.ID, c2.ID, false, "the user is not assigned to the company")
		check("UserSiteOnly", w.cUser.ID, "", true, "assigned to the site as customer_user")
		check("OpsFirstCompany", w.cOps.User.ID, w.company.ID, true, "operations agents reach every company of their sites")
		check("OpsNewCompany", w.cOps.User.ID, c2.ID, true, "operations agents reach every company of their sites")
		check("AdminCompany", w.cAdmin2.ID, w.company.ID, false, "customer administrators are not assigned to companies (R-ROLE-2)")
		check("CompanyOfOtherSite", w.cOps.User.ID, elsewhere.ID, false, "the company is not part of the site")
		// R-ORG-1: a company the asker cannot see, unknown or another
		// tenant's, is not found.
		_, err := w.app.Access(w.ctx, w.op, w.site.ID, w.cOps.User.ID, "co_nope")
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		check("NotAssigned", w.pAgent.ID, "", false, "the user is not assigned to the site")
		if err := w.app.UnassignCompany(w.ctx, w.cOps, w.company.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		check("UserAfterCompanyUnassign", w.cUser.ID, w.company.ID, false, "the user is not assigned to the company")
	})
}

// TestAccess_WhoMayAsk checks who may ask about a user's access: operators,
// the site customer's administrators and the user itself (R-ORG-1).
func TestAccess_WhoMayAsk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cUser.ID, "")
		for name, act := range map[string]app.Actor{"Operator": w.op, "CustomerAdmin": w.cAdmin, "Self": w.actor(w.cUser.ID)} {
			t.Run(name, func(t *testing.T) {
				d, err := w.app.Access(w.ctx, act, w.site.ID, w.cUser.ID, "")
				if err != nil || !d.Allowed {
					t.Errorf("%+v %v", d, err)
				}
			})
		}
		for name, act := range map[string]app.Actor{"OpsAgent": w.cOps, "PartnerAdmin": w.pAdmin} {
			t.Run(name, func(t *testing.T) {
				_, err := w.app.Access(w.ctx, act, w.site.ID, w.cUser.ID, "")
				wantCode(t, err, domain.EForbidden, "R-ORG-1")
			})
		}
	})
}
