package app_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestCreateSite_WhoCreatesWhichEdition checks that operators create
// sites of either edition for any customer, partner administrators only
// professional sites for their linked customers, and nobody else any
// (R-SITE-0).
func TestCreateSite_WhoCreatesWhichEdition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		direct := must(t, of(w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Direct"})))
		std, pro := domain.EditionStandard, domain.EditionProfessional
		for _, tc := range []struct {
			name       string
			act        app.Actor
			customer   string
			edition    domain.Edition
			code, rule string // "" for success
		}{
			{"OperatorStandard", w.op, w.customer.ID, std, "", ""},
			{"OperatorProfessional", w.op, w.customer.ID, pro, "", ""},
			{"OperatorDirectCustomer", w.op, direct.ID, std, "", ""},
			{"PartnerProfessional", w.pAdmin, w.customer.ID, pro, "", ""},
			{"PartnerStandard", w.pAdmin, w.customer.ID, std, domain.EForbidden, "R-SITE-0"},
			{"PartnerUnlinkedCustomer", w.pAdmin, direct.ID, pro, domain.ENotFound, "R-ORG-1"},
			{"PartnerAgent", w.actor(w.pAgent.ID), w.customer.ID, pro, domain.EForbidden, "R-SITE-0"},
			{"CustomerAdmin", w.cAdmin, w.customer.ID, pro, domain.EForbidden, "R-SITE-0"},
			{"OpsAgent", w.cOps, w.customer.ID, std, domain.EForbidden, "R-SITE-0"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				name := "site-" + tc.name
				if tc.code != "" {
					err := unchanged(t, db, func() error {
						_, err := w.app.CreateSite(w.ctx, tc.act, app.NewSite{CustomerID: tc.customer, Name: name, Edition: tc.edition})
						return err
					})
					wantCode(t, err, tc.code, tc.rule)
					return
				}
				seq := auditHead(t, db)
				s, err := w.app.CreateSite(w.ctx, tc.act, app.NewSite{CustomerID: tc.customer, Name: name, Edition: tc.edition})
				if err != nil {
					t.Fatal(err)
				}
				// The built-in provisioner reports the site ready at once.
				if s.State != domain.SiteReady || s.Edition != tc.edition || s.CustomerID != tc.customer || s.Name != name {
					t.Errorf("site %+v", s)
				}
				es := w.auditAfter(seq)
				if got := actions(es); !slices.Equal(got, []string{"site.create", "site.ready"}) {
					t.Fatalf("audit = %v", got)
				}
				wantContains(t, "create entry", string(es[0].After), `"state":"provisioning"`)
				wantContains(t, "ready entry", string(es[1].Before), `"state":"provisioning"`)
				wantContains(t, "ready entry", string(es[1].After), `"state":"ready"`)
				if es[0].OrgID != tc.customer || es[0].ActorID != tc.act.User.ID {
					t.Errorf("entry %+v", *es[0])
				}
			})
		}
	})
}

// TestCreateSite_InputChecked checks the site's name, edition and owner,
// and that a site created with a company lists it (R-SITE-0, R-SITE-3).
func TestCreateSite_InputChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			name string
			in   app.NewSite
		}{
			{"NoName", app.NewSite{CustomerID: w.customer.ID, Name: " ", Edition: domain.EditionStandard}},
			{"BadEdition", app.NewSite{CustomerID: w.customer.ID, Name: "x", Edition: "enterprise"}},
			{"PartnerAsOwner", app.NewSite{CustomerID: w.partner.ID, Name: "x", Edition: domain.EditionStandard}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, err := w.app.CreateSite(w.ctx, w.op, tc.in); return err })
				wantCode(t, err, domain.EInvalid, "")
			})
		}
		s := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-test",
			Edition: domain.EditionStandard, Company: " Acme Test Ltd "})))
		cos := must(t, of(w.app.Companies(w.ctx, w.cAdmin, s.ID, domain.Page{}))).Items
		if len(cos) != 1 || cos[0].Name != "Acme Test Ltd" || cos[0].SiteID != s.ID {
			t.Errorf("companies %+v", cos)
		}
	})
}

// addOperator creates and registers a second operator, to check that
// operator notices go to each of them.
func (w *world) addOperator(email string) *domain.User {
	w.t.Helper()
	return w.activeUser(w.op, w.op.Org.ID, email, domain.RoleOperator)
}

// TestSuspendSite_NeedsReasonAndFutureEnd checks that a suspension needs
// a reason and an expected end date in the future (R-SITE-1).
func TestSuspendSite_NeedsReasonAndFutureEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		now := w.clock.Now()
		for _, tc := range []struct {
			name, reason string
			until        time.Time
			field        string
		}{
			{"NoReason", "", now.Add(24 * time.Hour), "reason"},
			{"BlankReason", " \t", now.Add(24 * time.Hour), "reason"},
			{"NoEnd", "unpaid invoice", time.Time{}, "until"},
			{"EndNow", "unpaid invoice", now, "until"},
			{"EndPast", "unpaid invoice", now.Add(-time.Hour), "until"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := unchanged(t, db, func() error { _, err := w.app.SuspendSite(w.ctx, w.op, w.site.ID, tc.reason, tc.until); return err })
				wantCode(t, err, domain.EInvalid, "R-SITE-1")
				var e *domain.Error
				if !errors.As(err, &e) || e.Field != tc.field {
					t.Errorf("field of %v", err)
				}
			})
		}
		if s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID))); s.State != domain.SiteReady {
			t.Errorf("site is %s", s.State)
		}
	})
}

// TestSiteLifecycle_OnlyOperators checks that only operators suspend,
// resume, cancel or restore sites (R-SITE-1, R-SITE-2).
func TestSiteLifecycle_OnlyOperators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		until := w.clock.Now().Add(72 * time.Hour)
		ops := map[string]func(act app.Actor) error{
			"Suspend": func(act app.Actor) error {
				_, err := w.app.SuspendSite(w.ctx, act, w.site.ID, "maintenance", until)
				return err
			},
			"Resume":  func(act app.Actor) error { _, err := w.app.ResumeSite(w.ctx, act, w.site.ID); return err },
			"Cancel":  func(act app.Actor) error { _, err := w.app.CancelSite(w.ctx, act, w.site.ID, ""); return err },
			"Restore": func(act app.Actor) error { _, err := w.app.RestoreSite(w.ctx, act, w.site.ID); return err },
		}
		for name, do := range ops {
			for who, act := range map[string]app.Actor{"CustomerAdmin": w.cAdmin, "PartnerAdmin": w.pAdmin, "OpsAgent": w.cOps} {
				t.Run(name+"/"+who, func(t *testing.T) {
					wantCode(t, unchanged(t, db, func() error { return do(act) }), domain.EForbidden, "R-SITE-1")
				})
			}
		}
	})
}

// TestSuspendSite_NotifiesOperatorsAndBlocksAccess checks a suspension:
// the site keeps its assignments, nobody reaches it, each active operator
// is told, and resuming brings everything back (R-SITE-1).
func TestSuspendSite_NotifiesOperatorsAndBlocksAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		op2 := w.addOperator("otto.operator@vendor.example")
		w.invite(w.op, w.op.Org.ID, "ines.invited@vendor.example", domain.RoleOperator)
		w.assign(w.cOps.User.ID, "")
		w.assign(w.cUser.ID, "")
		if err := w.app.AssignCompany(w.ctx, w.cOps, w.company.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}

		until := w.clock.Now().Add(10 * 24 * time.Hour)
		seq := auditHead(t, db)
		s, err := w.app.SuspendSite(w.ctx, w.op, w.site.ID, "  unpaid invoice 2026-41 ", until)
		if err != nil {
			t.Fatal(err)
		}
		got := must(t, of(w.app.Site(w.ctx, w.cAdmin, w.site.ID)))
		if got.State != domain.SiteSuspended || got.SuspendReason != "unpaid invoice 2026-41" || s.State != domain.SiteSuspended {
			t.Errorf("suspended site %+v", got)
		}
		wantTime(t, "suspend until", got.SuspendUntil, until)
		es := w.auditAfter(seq)
		if len(es) != 1 || es[0].Action != "site.suspend" || es[0].ObjectID != w.site.ID || es[0].OrgID != w.customer.ID {
			t.Fatalf("audit = %v", actions(es))
		}
		// The entry's before is the site as it was, without the suspension.
		var before, after domain.Site
		if err := json.Unmarshal(es[0].Before, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(es[0].After, &after); err != nil {
			t.Fatal(err)
		}
		if before.State != domain.SiteReady || before.SuspendReason != "" || !before.SuspendUntil.IsZero() {
			t.Errorf("before = %s", es[0].Before)
		}
		if after.State != domain.SiteSuspended || after.SuspendReason != "unpaid invoice 2026-41" || !after.SuspendUntil.Equal(until) {
			t.Errorf("after = %s", es[0].After)
		}

		ns := w.mailOfKind(domain.NoticeSiteSuspended)
		if got, want := emails(ns), sortedIDs(op2.Email, w.op.User.Email, w.cAdmin.User.Email, w.cAdmin2.Email); !slices.Equal(got, want) {
			t.Errorf("suspension told %v, want the active operators and the customer's administrators %v", got, want)
		}
		for _, n := range ns {
			if n.OrgID != w.customer.ID || n.ToUserID == "" {
				t.Errorf("notice %+v", n)
			}
			wantContains(t, "subject", n.Subject, w.site.Name)
			wantContains(t, "body", n.Body, w.site.Name, "unpaid invoice 2026-41", until.Format("2 January 2006"))
		}

		// Assignments and companies are kept, but nobody reaches the site.
		rows := must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, w.site.ID, domain.Page{}))).Items
		if len(rows) != 2 {
			t.Errorf("%d users on the suspended site", len(rows))
		}
		if n := len(must(t, of(w.app.Companies(w.ctx, w.cAdmin, w.site.ID, domain.Page{}))).Items); n != 1 {
			t.Errorf("%d companies on the suspended site", n)
		}
		for _, id := range []string{w.cUser.ID, w.cOps.User.ID} {
			for _, co := range []string{"", w.company.ID} {
				d := must(t, of(w.app.Access(w.ctx, w.op, w.site.ID, id, co)))
				if d.Allowed || d.Reason != "the site is suspended" {
					t.Errorf("access of %s to %q on a suspended site: %+v", id, co, d)
				}
			}
		}

		_, err = w.app.SuspendSite(w.ctx, w.op, w.site.ID, "again", until)
		wantCode(t, err, domain.ERule, "R-SITE-2")

		seq = auditHead(t, db)
		r, err := w.app.ResumeSite(w.ctx, w.op, w.site.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != domain.SiteReady || r.SuspendReason != "" || !r.SuspendUntil.IsZero() {
			t.Errorf("resumed %+v", r)
		}
		if got := actions(w.auditAfter(seq)); !slices.Equal(got, []string{"site.resume"}) {
			t.Errorf("audit = %v", got)
		}
		d := must(t, of(w.app.Access(w.ctx, w.op, w.site.ID, w.cUser.ID, w.company.ID)))
		if !d.Allowed || d.Role != domain.RoleCustomerUser {
			t.Errorf("access after resume: %+v", d)
		}
	})
}

// TestSiteTransitions_IllegalRefused checks that moves the state machine
// does not allow are refused with a rule error and change nothing
// (R-SITE-1, R-SITE-2).
func TestSiteTransitions_IllegalRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		until := w.clock.Now().Add(72 * time.Hour)
		site := func(state domain.SiteState) string {
			s := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "s-" + string(state),
				Edition: domain.EditionStandard})))
			switch state {
			case domain.SiteSuspended:
				must(t, of(w.app.SuspendSite(w.ctx, w.op, s.ID, "maintenance", until)))
			case domain.SiteCancelled:
				must(t, of(w.app.CancelSite(w.ctx, w.op, s.ID, "")))
			}
			return s.ID
		}
		ids := map[domain.SiteState]string{}
		for _, st := range []domain.SiteState{domain.SiteReady, domain.SiteSuspended, domain.SiteCancelled} {
			ids[st] = site(st)
		}
		moves := map[string]func(id string) error{
			"Suspend": func(id string) error { _, err := w.app.SuspendSite(w.ctx, w.op, id, "maintenance", until); return err },
			"Resume":  func(id string) error { _, err := w.app.ResumeSite(w.ctx, w.op, id); return err },
			"Cancel":  func(id string) error { _, err := w.app.CancelSite(w.ctx, w.op, id, ""); return err },
			"Restore": func(id string) error { _, err := w.app.RestoreSite(w.ctx, w.op, id); return err },
		}
		for _, tc := range []struct {
			from domain.SiteState
			move string
			rule string
		}{
			{domain.SiteReady, "Resume", "R-SITE-2"},
			{domain.SiteReady, "Restore", "R-SITE-2"},
			{domain.SiteSuspended, "Suspend", "R-SITE-2"},
			{domain.SiteSuspended, "Restore", "R-SITE-2"},
			{domain.SiteCancelled, "Suspend", "R-SITE-2"},
			{domain.SiteCancelled, "Resume", "R-SITE-1"}, // cancelled → ready is a restore, not a resume
			{domain.SiteCancelled, "Cancel", "R-SITE-2"},
		} {
			t.Run(fmt.Sprintf("%s/%s", tc.move, tc.from), func(t *testing.T) {
				err := unchanged(t, db, func() error { return moves[tc.move](ids[tc.from]) })
				wantCode(t, err, domain.ERule, tc.rule)
				wantContains(t, "error", err.Error(), string(tc.from))
				if got := must(t, of(w.app.Site(w.ctx, w.op, ids[tc.from]))).State; got != tc.from {
					t.Errorf("state %s, want %s", got, tc.from)
				}
			})
		}
	})
}

// TestCancelSite_RestoreWithinStasis checks that a cancelled site is in
// stasis: it keeps its assignments but nobody reaches it, operators are
// told, and an operator can restore it until the stasis ends (R-SITE-2).
func TestCancelSite_RestoreWithinStasis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cUser.ID, "")
		must(t, of(w.app.SuspendSite(w.ctx, w.op, w.site.ID, "unpaid", w.clock.Now().Add(time.Hour))))

		seq := auditHead(t, db)
		s, err := w.app.CancelSite(w.ctx, w.op, w.site.ID, "") // suspended → cancelled
		if err != nil {
			t.Fatal(err)
		}
		purge := w.clock.Now().Add(7 * 24 * time.Hour)
		if s.State != domain.SiteCancelled || s.SuspendReason != "" {
			t.Errorf("cancelled %+v", s)
		}
		wantTime(t, "purge at", must(t, of(w.app.Site(w.ctx, w.cAdmin, w.site.ID))).PurgeAt, purge)
		es := w.auditAfter(seq)
		if got := actions(es); !slices.Equal(got, []string{"site.cancel"}) {
			t.Fatalf("audit = %v", got)
		}
		var before, after domain.Site
		if err := json.Unmarshal(es[0].Before, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(es[0].After, &after); err != nil {
			t.Fatal(err)
		}
		if before.State != domain.SiteSuspended || !before.PurgeAt.IsZero() || before.SuspendReason != "unpaid" {
			t.Errorf("before = %s", es[0].Before)
		}
		if after.State != domain.SiteCancelled || !after.PurgeAt.Equal(purge) || after.SuspendReason != "" {
			t.Errorf("after = %s", es[0].After)
		}
		ns := w.mailOfKind(domain.NoticeSiteCancelled)
		if got, want := emails(ns), sortedIDs(w.op.User.Email, w.cAdmin.User.Email, w.cAdmin2.Email); !slices.Equal(got, want) || ns[0].OrgID != w.customer.ID {
			t.Fatalf("cancel notices to %v, want %v", got, want)
		}
		wantContains(t, "subject", ns[0].Subject, w.site.Name)
		wantContains(t, "body", ns[0].Body, w.site.Name, purge.Format("2 January 2006")) // restorable until

		if d := must(t, of(w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""))); d.Allowed || d.Reason != "the site is cancelled" {
			t.Errorf("access in stasis: %+v", d)
		}
		_, err = w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cOps.User.ID, "")
		wantCode(t, err, domain.ERule, "R-SITE-2")

		w.clock.Add(7*24*time.Hour - time.Second)
		seq = auditHead(t, db)
		r, err := w.app.RestoreSite(w.ctx, w.op, w.site.ID)
		if err != nil {
			t.Fatalf("restore in the last second of stasis: %v", err)
		}
		if r.State != domain.SiteReady || !r.PurgeAt.IsZero() {
			t.Errorf("restored %+v", r)
		}
		if got := actions(w.auditAfter(seq)); !slices.Equal(got, []string{"site.restore"}) {
			t.Errorf("audit = %v", got)
		}
		if got, want := emails(w.mailOfKind(domain.NoticeSiteRestored)), sortedIDs(w.op.User.Email, w.cAdmin.User.Email, w.cAdmin2.Email); !slices.Equal(got, want) {
			t.Errorf("restore notices to %v, want %v", got, want)
		}
		if d := must(t, of(w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""))); !d.Allowed {
			t.Errorf("access after restore: %+v", d)
		}
	})
}

// TestRestoreSite_RefusedAfterStasis checks that a site whose stasis has
// ended cannot be restored (R-SITE-2).
func TestRestoreSite_RefusedAfterStasis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.CancelSite(w.ctx, w.op, w.site.ID, "")))
		w.clock.Add(7 * 24 * time.Hour)
		err := unchanged(t, db, func() error { _, err := w.app.RestoreSite(w.ctx, w.op, w.site.ID); return err })
		wantCode(t, err, domain.ERule, "R-SITE-2")
		wantContains(t, "error", err.Error(), "stasis")
		if s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID))); s.State != domain.SiteCancelled {
			t.Errorf("site is %s", s.State)
		}
	})
}

// TestCancelSite_StasisPeriodIsASetting checks that the stasis lasts the
// configured period (R-SITE-2).
func TestCancelSite_StasisPeriodIsASetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		cfg := w.app.Config()
		cfg.StasisPeriod = 30 * 24 * time.Hour
		emails, err := domain.NewEmailPolicy()
		if err != nil {
			t.Fatal(err)
		}
		a := app.New(bound(db), cfg, emails, w.clock.Now, nil)
		s := must(t, of(a.CancelSite(w.ctx, w.op, w.site.ID, "")))
		wantTime(t, "purge at", s.PurgeAt, w.clock.Now().Add(30*24*time.Hour))
		w.clock.Add(20 * 24 * time.Hour) // past the default 7 days
		if _, err := a.RestoreSite(w.ctx, w.op, w.site.ID); err != nil {
			t.Fatalf("restore on day 20 of 30: %v", err)
		}
	})
}

// TestCompanies_OnlyAssignedOpsAgents checks that only operations agents
// assigned to a site, with that role, create, rename and staff its
// companies (R-SITE-3, R-ROLE-2).
func TestCompanies_OnlyAssignedOpsAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cUser.ID, "")
		multi := w.activeUser(w.cAdmin, w.customer.ID, "max.multi@acme.example", domain.RoleCustomerOps, domain.RoleCustomerUser)
		w.assign(multi.ID, domain.RoleCustomerUser) // an ops agent on this site only as a user
		for _, tc := range []struct {
			name       string
			act        app.Actor
			code, rule string
		}{
			{"UnassignedOpsAgent", w.cOps, domain.EForbidden, "R-SITE-3"},
			{"OpsAgentAssignedAsUser", w.actor(multi.ID), domain.EForbidden, "R-SITE-3"},
			{"CustomerUser", w.actor(w.cUser.ID), domain.EForbidden, "R-SITE-3"},
			{"CustomerAdmin", w.cAdmin, domain.EForbidden, "R-ROLE-2"},
			{"Operator", w.op, domain.EForbidden, "R-SITE-3"},
			{"PartnerAdmin", w.pAdmin, domain.EForbidden, "R-SITE-3"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for what, do := range map[string]func() error{
					"Create": func() error { _, err := w.app.CreateCompany(w.ctx, tc.act, w.site.ID, "Acme Two"); return err },
					"Rename": func() error { _, err := w.app.RenameCompany(w.ctx, tc.act, w.company.ID, "Acme Renamed"); return err },
					"Assign": func() error { return w.app.AssignCompany(w.ctx, tc.act, w.company.ID, w.cUser.ID) },
				} {
					t.Run(what, func(t *testing.T) { wantCode(t, unchanged(t, db, do), tc.code, tc.rule) })
				}
			})
		}

		w.assign(w.cOps.User.ID, "")
		seq := auditHead(t, db)
		c, err := w.app.CreateCompany(w.ctx, w.cOps, w.site.ID, " Acme Two ")
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Acme Two" || c.SiteID != w.site.ID {
			t.Errorf("company %+v", c)
		}
		r, err := w.app.RenameCompany(w.ctx, w.cOps, c.ID, "Acme Holding")
		if err != nil || r.Name != "Acme Holding" {
			t.Fatalf("rename %+v %v", r, err)
		}
		if err := w.app.AssignCompany(w.ctx, w.cOps, c.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.app.UnassignCompany(w.ctx, w.cOps, c.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		es := w.auditAfter(seq)
		if got := actions(es); !slices.Equal(got, []string{"company.create", "company.rename",
			"company_assignment.create", "company_assignment.delete"}) {
			t.Fatalf("audit = %v", got)
		}
		for _, e := range es {
			if e.ActorID != w.cOps.User.ID || e.OrgID != w.customer.ID || e.ObjectID != c.ID {
				t.Errorf("entry %+v", *e)
			}
		}
		wantContains(t, "rename before", string(es[1].Before), "Acme Two")
		wantContains(t, "rename after", string(es[1].After), "Acme Holding")

		names := []string{}
		for _, co := range must(t, of(w.app.Companies(w.ctx, w.actor(w.cUser.ID), w.site.ID, domain.Page{}))).Items {
			names = append(names, co.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"Acme Holding", "Acme Ltd"}) {
			t.Errorf("companies %v", names)
		}

		offSite := w.activeUser(w.cAdmin, w.customer.ID, "nat.offsite@acme.example", domain.RoleCustomerUser)
		for _, tc := range []struct {
			name       string
			do         func() error
			code, rule string
		}{
			{"DuplicateName", func() error { _, err := w.app.CreateCompany(w.ctx, w.cOps, w.site.ID, "Acme Ltd"); return err }, domain.EConflict, ""},
			{"RenameToTaken", func() error { _, err := w.app.RenameCompany(w.ctx, w.cOps, c.ID, "Acme Ltd"); return err }, domain.EConflict, ""},
			{"BlankName", func() error { _, err := w.app.CreateCompany(w.ctx, w.cOps, w.site.ID, "  "); return err }, domain.EInvalid, ""},
			{"UserNotOnSite", func() error { return w.app.AssignCompany(w.ctx, w.cOps, c.ID, offSite.ID) }, domain.ERule, "R-SITE-3"},
			{"UnassignTwice", func() error { return w.app.UnassignCompany(w.ctx, w.cOps, c.ID, w.cUser.ID) }, domain.ENotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, unchanged(t, db, tc.do), tc.code, tc.rule)
			})
		}
		t.Run("LockedUserNotStaffed", func(t *testing.T) {
			must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
			wantCode(t, unchanged(t, db, func() error { return w.app.AssignCompany(w.ctx, w.cOps, c.ID, w.cUser.ID) }),
				domain.ERule, "R-ASSIGN-1")
		})
		t.Run("OpsAgentRemovedFromSite", func(t *testing.T) {
			if err := w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, w.cOps.User.ID, ""); err != nil {
				t.Fatal(err)
			}
			_, err := w.app.CreateCompany(w.ctx, w.cOps, w.site.ID, "Acme Three")
			wantCode(t, err, domain.EForbidden, "R-SITE-3")
		})
	})
}

// TestSiteUsers_Dashboard checks the site's dashboard rows: each user's
// name, role on the site, how it got access, its state and its companies
// (R-SITE-4).
func TestSiteUsers_Dashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		multi := w.activeUser(w.cAdmin, w.customer.ID, "max.multi@acme.example", domain.RoleCustomerOps, domain.RoleCustomerUser)
		w.assign(w.cAdmin2.ID, "")
		w.assign(w.cOps.User.ID, "")
		w.assign(w.cUser.ID, "")
		w.assign(multi.ID, domain.RoleCustomerUser)
		c2 := must(t, of(w.app.CreateCompany(w.ctx, w.cOps, w.site.ID, "Acme Two")))
		for _, co := range []string{w.company.ID, c2.ID} {
			if err := w.app.AssignCompany(w.ctx, w.cOps, co, w.cUser.ID); err != nil {
				t.Fatal(err)
			}
		}
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, multi.ID)))

		want := map[string]struct {
			name      string
			role      domain.Role
			state     domain.UserState
			companies []string
		}{
			w.cAdmin2.ID:   {w.cAdmin2.Name, domain.RoleCustomerAdmin, domain.UserActive, nil},
			w.cOps.User.ID: {w.cOps.User.Name, domain.RoleCustomerOps, domain.UserActive, nil},
			w.cUser.ID:     {w.cUser.Name, domain.RoleCustomerUser, domain.UserActive, sortedIDs(w.company.ID, c2.ID)},
			multi.ID:       {multi.Name, domain.RoleCustomerUser, domain.UserLocked, nil},
		}
		for who, act := range map[string]app.Actor{"CustomerAdmin": w.cAdmin, "OpsAgent": w.cOps, "Operator": w.op} {
			t.Run(who, func(t *testing.T) {
				rows := must(t, of(w.app.SiteUsers(w.ctx, act, w.site.ID, domain.Page{}))).Items
				if len(rows) != len(want) {
					t.Fatalf("%d rows, want %d", len(rows), len(want))
				}
				for _, r := range rows {
					x, ok := want[r.UserID]
					if !ok {
						t.Errorf("unexpected row %+v", r)
						continue
					}
					if r.UserName != x.name || r.Role != x.role || r.Via != domain.ViaMember || r.UserState != x.state ||
						!r.ExpiresAt.IsZero() || r.SiteID != w.site.ID || !slices.Equal(r.Companies, x.companies) {
						t.Errorf("row %+v, want %+v", r, x)
					}
					if u := w.user(r.UserID); r.UserEmail != u.Email {
						t.Errorf("row email %q, want %q", r.UserEmail, u.Email)
					}
				}
			})
		}
		t.Run("Paged", func(t *testing.T) {
			p1 := must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, w.site.ID, domain.Page{Limit: 3})))
			if len(p1.Items) != 3 || p1.NextCursor == "" {
				t.Fatalf("page 1: %d rows, cursor %q", len(p1.Items), p1.NextCursor)
			}
			p2 := must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, w.site.ID, domain.Page{Limit: 3, Cursor: p1.NextCursor})))
			if len(p2.Items) != 1 || p2.NextCursor != "" {
				t.Fatalf("page 2: %d rows, cursor %q", len(p2.Items), p2.NextCursor)
			}
			seen := map[string]bool{}
			for _, r := range append(p1.Items, p2.Items...) {
				seen[r.UserID] = true
			}
			if len(seen) != len(want) {
				t.Errorf("pages cover %d users", len(seen))
			}
		})
		t.Run("PartnerForbidden", func(t *testing.T) {
			_, err := w.app.SiteUsers(w.ctx, w.pAdmin, w.site.ID, domain.Page{})
			wantCode(t, err, domain.EForbidden, "R-SITE-4")
		})
	})
}

func sortedIDs(ids ...string) []string { slices.Sort(ids); return ids }

// TestSiteState_CustomerAdministratorsTold: the customer's administrators
// are told, as the vendor's operators are, when their site is suspended,
// resumed, cancelled, restored and deleted (R-SITE-1, R-SITE-2).
func TestSiteState_CustomerAdministratorsTold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		told := func(kind string, want int) {
			t.Helper()
			for _, email := range []string{w.cAdmin.User.Email, w.cAdmin2.Email} {
				if got := len(w.mailed(email, kind)); got != want {
					t.Errorf("%s got %d %s notices, want %d", email, got, kind, want)
				}
			}
		}
		must(t, of(w.app.SuspendSite(w.ctx, w.op, w.site.ID, "maintenance window", w.clock.Now().Add(48*time.Hour))))
		told(domain.NoticeSiteSuspended, 1)
		must(t, of(w.app.ResumeSite(w.ctx, w.op, w.site.ID)))
		told(domain.NoticeSiteResumed, 1)
		must(t, of(w.app.CancelSite(w.ctx, w.op, w.site.ID, "")))
		told(domain.NoticeSiteCancelled, 1)
		must(t, of(w.app.RestoreSite(w.ctx, w.op, w.site.ID)))
		told(domain.NoticeSiteRestored, 1)
		must(t, of(w.app.CancelSite(w.ctx, w.op, w.site.ID, "")))
		w.clock.Add(app.DefaultConfig().StasisPeriod + time.Minute)
		must(t, of(w.app.Sweep(w.ctx)))
		told(domain.NoticeSiteDeleted, 1)
		if n := w.mailed(w.cAdmin.User.Email, domain.NoticeSiteSuspended)[0]; !strings.Contains(n.Body, w.site.Name) ||
			!strings.Contains(n.Body, "maintenance window") {
			t.Errorf("the suspension notice does not say which site and why: %s", n.Body)
		}
	})
}
