package app_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// findings returns the report's findings of a kind, by user email (or
// organisation name for an organisation's finding).
func findings(t *testing.T, w *world, act app.Actor, orgID string, kind domain.FindingKind) map[string]domain.Finding {
	t.Helper()
	r := must(t, of(w.app.Compliance(w.ctx, act, orgID)))
	out := map[string]domain.Finding{}
	for _, f := range r.Findings {
		if f.Kind != kind {
			continue
		}
		key := f.UserEmail
		if key == "" {
			key = f.OrgName
		}
		if f.Rule != domain.FindingRules[kind] || f.Detail == "" || f.Fix == "" || f.FixLink == "" {
			t.Fatalf("a finding without its rule, words or fix: %+v", f)
		}
		out[key] = f
	}
	return out
}

// TestCompliance_FindingsComeAndGo: each kind of finding appears when the
// rule is broken and disappears the moment it is fixed. R-AUDIT-2
func TestCompliance_FindingsComeAndGo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		acme := w.customer.ID

		// R-USER-3: a shared-looking account; fixed by deleting it.
		info, _ := must2(t, of2(w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: acme, Email: "info@acme.example",
			Name: "Info Desk", Roles: []domain.Role{domain.RoleCustomerUser}})))
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindGeneric)["info@acme.example"]; !ok {
			t.Fatal("R-USER-3: a generic account is not reported")
		}
		must(t, of(w.app.DeleteUser(w.ctx, w.cAdmin, info.ID, "")))
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindGeneric)["info@acme.example"]; ok {
			t.Fatal("R-USER-3: still reported after deletion")
		}

		// R-ROLE-3: partner staff with a customer login (the partner's
		// domain), outside a demo customer.
		w.activeUser(w.cAdmin, acme, "sneaky@northwind.example", domain.RoleCustomerUser)
		if _, ok := findings(t, w, w.pAdmin, w.partner.ID, domain.FindPartnerLogin)["sneaky@northwind.example"]; !ok {
			t.Fatal("R-ROLE-3: a partner's customer login is not reported")
		}

		// R-ROLE-5: the partner has one administrator; a second fixes it.
		if _, ok := findings(t, w, w.pAdmin, "", domain.FindSingleAdmin)["Northwind Partners"]; !ok {
			t.Fatal("R-ROLE-5: a single administrator is not reported")
		}
		if _, ok := findings(t, w, w.cAdmin, "", domain.FindSingleAdmin)["Acme"]; ok {
			t.Fatal("R-ROLE-5: Acme has two administrators")
		}
		w.activeUser(w.op, w.partner.ID, "pia.padmin@northwind.example", domain.RolePartnerAdmin)
		if _, ok := findings(t, w, w.pAdmin, "", domain.FindSingleAdmin)["Northwind Partners"]; ok {
			t.Fatal("R-ROLE-5: still reported with two administrators")
		}

		// R-USER-4: an invitation never accepted; a fresh one fixes it.
		ivan, _ := must2(t, of2(w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: acme, Email: "ivan@acme.example",
			Name: "Ivan Invited", Roles: []domain.Role{domain.RoleCustomerUser}})))
		w.clock.Add(8 * 24 * time.Hour)
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindInviteUnused)["ivan@acme.example"]; !ok {
			t.Fatal("R-USER-4: an expired invitation is not reported")
		}
		must(t, of(w.app.ResendInvitation(w.ctx, w.cAdmin, ivan.ID)))
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindInviteUnused)["ivan@acme.example"]; ok {
			t.Fatal("R-USER-4: still reported after a fresh invitation")
		}

		// R-USER-5: a locked user still assigned; removing it fixes it.
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		if f, ok := findings(t, w, w.cAdmin, acme, domain.FindLockedAssigned)["uma.user@acme.example"]; !ok || f.SiteName != "acme-prod" {
			t.Fatalf("R-USER-5: a locked user still assigned is not reported: %+v", f)
		}
		if err := w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindLockedAssigned)["uma.user@acme.example"]; ok {
			t.Fatal("R-USER-5: still reported after removal")
		}

		// R-PARTNER-2: a partner attached longer than the access period.
		req := must(t, of(w.app.RequestAccess(w.ctx, w.actor(w.pAgent.ID), w.site.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 0)))
		w.clock.Add(8 * 24 * time.Hour)
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindPartnerTooLong)[w.pAgent.Email]; !ok {
			t.Fatal("R-PARTNER-2: a partner attached past the period is not reported")
		}
		must(t, of(w.app.Sweep(w.ctx)))
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindPartnerTooLong)[w.pAgent.Email]; ok {
			t.Fatal("R-PARTNER-2: still reported after the access ended")
		}

		// Dormant: signed in, then not for the period; never signed in.
		must(t, of(w.app.SignIn(w.ctx, app.Credentials{Email: w.cOps.User.Email, Password: testPassword})))
		w.clock.Add(91 * 24 * time.Hour)
		if f, ok := findings(t, w, w.cAdmin, acme, domain.FindDormant)[w.cOps.User.Email]; !ok || f.Since.IsZero() {
			t.Fatalf("a dormant user is not reported: %+v", f)
		}
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindNeverSignedIn)["dan.admin@acme.example"]; !ok {
			t.Fatal("a user who never signed in is not reported as such")
		}
		must(t, of(w.app.SignIn(w.ctx, app.Credentials{Email: w.cOps.User.Email, Password: testPassword})))
		if _, ok := findings(t, w, w.cAdmin, acme, domain.FindDormant)[w.cOps.User.Email]; ok {
			t.Fatal("still dormant after signing in")
		}

		// R-USER-2: the disposable list grows after a user was created.
		grown, err := domain.NewEmailPolicy("acme.example")
		if err != nil {
			t.Fatal(err)
		}
		later := app.New(bound(db), w.app.Config(), grown, w.clock.Now, nil)
		r := must(t, of(later.Compliance(w.ctx, w.cAdmin, acme)))
		if r.ByKind[domain.FindDisposable] == 0 {
			t.Fatal("R-USER-2: users at a newly listed disposable domain are not reported")
		}

		// Scope: a customer sees itself; a partner its customers too; an
		// organisation out of sight is not found (R-ORG-1).
		if _, err := w.app.Compliance(w.ctx, w.cAdmin, w.partner.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("a customer reading its partner's report: %v", err)
		}
		if _, err := w.app.Compliance(w.ctx, w.cOps, ""); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("an operations agent read the report: %v", err)
		}
		if pr := must(t, of(w.app.Compliance(w.ctx, w.pAdmin, ""))); pr.ByOrg["Acme"] == 0 {
			t.Fatalf("the partner's report leaves out its customer: %+v", pr.ByOrg)
		}
		if cr := must(t, of(w.app.Compliance(w.ctx, w.cAdmin, ""))); cr.ByOrg["Northwind Partners"] != 0 {
			t.Fatalf("the customer's report shows its partner: %+v", cr.ByOrg)
		}
	})
}
