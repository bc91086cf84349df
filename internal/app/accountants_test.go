package app_test

import (
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestAccountant_ReadySitesOnly: R-ACCT-1
func TestAccountant_ReadySitesOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.SuspendSite(w.ctx, w.op, w.site.ID, "unpaid invoice", w.clock.Now().AddDate(0, 1, 0))))
		_, err := w.app.AssignAccountant(w.ctx, w.cAdmin, w.site.ID, "alma@ledger.example", "Alma Ledger")
		wantCode(t, err, domain.ERule, "R-ACCT-1")
		if _, err := w.app.FindAccountant(w.ctx, w.cAdmin, "alma@ledger.example"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("a refused assignment must create nobody: %v", err)
		}
	})
}

// TestAccountant_UnknownThenKnown: an unknown email becomes an invited
// accountant, assigned when it registers; a known one is found and
// assigned at once. R-ACCT-2 R-ASSIGN-2
func TestAccountant_UnknownThenKnown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if _, err := w.app.FindAccountant(w.ctx, w.cAdmin, "alma@ledger.example"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("lookup of an unknown accountant: %v", err)
		}
		res := must(t, of(w.app.AssignAccountant(w.ctx, w.cAdmin, w.site.ID, "Alma@Ledger.example", "Alma Ledger")))
		if !res.Invited || res.Assignment != nil || res.User.Type != domain.TypeAccountant || res.User.State != domain.UserInvited {
			t.Fatalf("unknown accountant: %+v", res)
		}
		if d := must(t, of(w.app.Access(w.ctx, app.System, w.site.ID, res.User.ID, ""))); d.Allowed {
			t.Fatal("an invited accountant has no access yet")
		}
		invites := w.mailed("alma@ledger.example", domain.NoticeAccountantInvited)
		if len(invites) != 1 {
			t.Fatalf("invitations: %d", len(invites))
		}
		if _, err := w.app.AcceptInvitation(w.ctx, "", w.lastLink("alma@ledger.example", "invitations"), testPassword); err != nil {
			t.Fatal(err)
		}
		d := must(t, of(w.app.Access(w.ctx, app.System, w.site.ID, res.User.ID, "")))
		if !d.Allowed || d.Via != domain.ViaAccountant {
			t.Fatalf("registered accountant: %+v", d)
		}
		if len(w.mailed("alma@ledger.example", domain.NoticeAccountantAssigned)) != 1 ||
			len(w.mailed(w.cAdmin.User.Email, domain.NoticeUserAdded)) != 1 {
			t.Fatal("the accountant and the customer's administrators are told")
		}

		// A second site: the accountant is known now, and assigned at once.
		site2 := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-test", Edition: domain.EditionStandard})))
		found := must(t, of(w.app.FindAccountant(w.ctx, w.cAdmin, "alma@ledger.example")))
		res2 := must(t, of(w.app.AssignAccountant(w.ctx, w.cAdmin, site2.ID, found.Email, "")))
		if res2.Invited || res2.Assignment == nil {
			t.Fatalf("known accountant: %+v", res2)
		}
		// The accountant signs in and checks its own access; it sees no tenant.
		alma := w.actor(found.ID)
		if d := must(t, of(w.app.Access(w.ctx, alma, site2.ID, found.ID, ""))); !d.Allowed {
			t.Fatalf("own access: %+v", d)
		}
		// R-ACCT-2: it sees the sites it is assigned to, and only those,
		// by list and by id; another site of the same customer is "not
		// found" (R-ORG-1).
		other := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-other", Edition: domain.EditionStandard})))
		l := must(t, of(w.app.Sites(w.ctx, alma, domain.SiteFilter{})))
		var names []string
		for _, s := range l.Items {
			names = append(names, s.Name)
		}
		if strings.Join(names, ",") != w.site.Name+",acme-test" && strings.Join(names, ",") != "acme-test,"+w.site.Name {
			t.Fatalf("an accountant lists its own sites only: %v", names)
		}
		if s, err := w.app.Site(w.ctx, alma, site2.ID); err != nil || s.ID != site2.ID {
			t.Fatalf("an accountant opens its site: %v", err)
		}
		_, err := w.app.Site(w.ctx, alma, other.ID)
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
		// Another type of user is never taken for an accountant, and the
		// refusal reads alike whoever holds the email: a customer learns
		// nothing of another tenant's people.
		var msgs []string
		for _, email := range []string{w.cUser.Email, w.pAgent.Email, t2Email(w)} {
			_, err = w.app.AssignAccountant(w.ctx, w.cAdmin, w.site.ID, email, "")
			wantCode(t, err, domain.ERule, "R-ROLE-3")
			msgs = append(msgs, strings.ReplaceAll(err.Error(), email, "EMAIL"))
		}
		if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
			t.Fatalf("refusals differ by who holds the email: %q", msgs)
		}
	})
}

// t2Email is the email of a partner administrator in another tenant.
func t2Email(w *world) string { return w.secondTenant().pAdmin.User.Email }

// TestAccountant_RemovalEndsItsView: an accountant's view of a site is
// kept in the read cache, but once it is removed from the site the site
// is "not found" to it at once in this process, and within 100 ms on
// another replica: the cache forgets what it kept in the accountant's
// scope when its assignments change. R-ACCT-2 R-ORG-1
func TestAccountant_RemovalEndsItsView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		res := must(t, of(w.app.AssignAccountant(w.ctx, w.cAdmin, w.site.ID, "alma@ledger.example", "Alma Ledger")))
		if _, err := w.app.AcceptInvitation(w.ctx, "", w.lastLink("alma@ledger.example", "invitations"), testPassword); err != nil {
			t.Fatal(err)
		}
		alma := w.actor(res.User.ID)
		otherDB := storetest.Again(t, db)
		other, _ := newAppWith(t, otherDB, w.clock, nil)
		for _, r := range []struct {
			a  *app.App
			db *store.DB
		}{{w.app, db}, {other, otherDB}} {
			untilCached(t, r.db, "the accountant's look at its site", func() { must(t, of(r.a.Site(w.ctx, alma, w.site.ID))) })
		}

		if err := w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, res.User.ID, "engagement ended"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Site(w.ctx, alma, w.site.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("right after the removal, the accountant's look at the site: %v, want not found", err)
		}
		withinReplication(t, "the other replica hides the site from the removed accountant", func() bool {
			_, err := other.Site(w.ctx, alma, w.site.ID)
			return domain.ErrorCode(err) == domain.ENotFound
		})
	})
}
