package app_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
)

// withinReplication waits for cond, and fails the test unless it holds
// within the 100 ms DESIGN gives a change to reach every replica.
func withinReplication(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 100*time.Millisecond {
			t.Fatalf("%s: not after %v", what, time.Since(start))
		}
		time.Sleep(time.Millisecond)
	}
}

// untilCached calls read until it runs no statement on db, its answer
// kept in the read cache (which is used once the database vouches for its
// version), and fails the test if that never happens within 5 s.
func untilCached(t *testing.T, db *store.DB, what string, read func()) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(time.Millisecond) {
		before := db.Statements()
		read()
		if db.Statements() == before {
			return
		}
	}
	t.Fatalf("%s is never answered from the read cache", what)
}

// tenant is a second partner with its own linked customer, site and
// company, to check that the world's tenants cannot reach each other
// (R-ORG-1).
type tenant struct {
	partner  *domain.Org
	pAdmin   app.Actor
	customer *domain.Org
	cAdmin   app.Actor
	cUser    *domain.User
	site     *domain.Site
	company  *domain.Company
}

// secondTenant creates Fabrikam (a partner) and its customer Contoso.
func (w *world) secondTenant() *tenant {
	w.t.Helper()
	a := w.app
	t2 := &tenant{}
	t2.partner = must(w.t, of(a.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Fabrikam"})))
	t2.pAdmin = w.actor(w.activeUser(w.op, t2.partner.ID, "fay.padmin@fabrikam.example", domain.RolePartnerAdmin).ID)
	t2.customer = must(w.t, of(a.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Contoso", PartnerID: t2.partner.ID})))
	t2.cAdmin = w.actor(w.activeUser(w.op, t2.customer.ID, "cody.admin@contoso.example", domain.RoleCustomerAdmin).ID)
	w.activeUser(w.op, t2.customer.ID, "cleo.admin@contoso.example", domain.RoleCustomerAdmin)
	t2.cUser = w.activeUser(t2.cAdmin, t2.customer.ID, "cy.user@contoso.example", domain.RoleCustomerUser)
	t2.site = must(w.t, of(a.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: t2.customer.ID, Name: "contoso-prod",
		Edition: domain.EditionStandard, Company: "Contoso GmbH"})))
	t2.company = must(w.t, of(a.Companies(w.ctx, w.op, t2.site.ID, domain.Page{}))).Items[0]
	// The reloaded orgs carry their main contacts.
	t2.partner = must(w.t, of(a.Org(w.ctx, w.op, t2.partner.ID)))
	t2.customer = must(w.t, of(a.Org(w.ctx, w.op, t2.customer.ID)))
	return t2
}

// mail returns the notices of one kind mailed to email, oldest first.
func (w *world) mail(email, kind string) []*domain.Notice {
	w.t.Helper()
	f := domain.NoticeFilter{ToEmail: &email, Page: domain.Page{Limit: domain.MaxPageSize}}
	if kind != "" {
		f.Kind = &kind
	}
	return must(w.t, of(w.app.Mailbox(w.ctx, w.op, f))).Items
}

// mailOfKind returns every notice of one kind, oldest first.
func (w *world) mailOfKind(kind string) []*domain.Notice {
	w.t.Helper()
	return must(w.t, of(w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Kind: &kind, Page: domain.Page{Limit: domain.MaxPageSize}}))).Items
}

// user reloads a user as the system sees it.
func (w *world) user(id string) *domain.User {
	w.t.Helper()
	return must(w.t, of(w.app.User(w.ctx, app.System, id)))
}

// org reloads an organisation as the system sees it.
func (w *world) org(id string) *domain.Org {
	w.t.Helper()
	return must(w.t, of(w.app.Org(w.ctx, app.System, id)))
}

// assign assigns a user to the world's site through the first customer
// administrator, failing the test on error.
func (w *world) assign(userID string, role domain.Role) *domain.Assignment {
	w.t.Helper()
	as, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, userID, role)
	if err != nil {
		w.t.Fatalf("assign %s: %v", userID, err)
	}
	return as
}

// auditHead is the sequence number of the newest activity-log entry.
func auditHead(t testing.TB, db *store.DB) int64 {
	t.Helper()
	var seq int64
	if err := db.SQL().QueryRowContext(t.Context(), `SELECT COALESCE(MAX(seq), 0) FROM audit_log`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// auditAfter returns the activity-log entries written after seq.
func (w *world) auditAfter(seq int64) []*domain.AuditEntry {
	w.t.Helper()
	return must(w.t, of(w.app.Audit(w.ctx, app.System, domain.AuditFilter{AfterSeq: seq})))
}

// actions lists the actions of entries, in order.
func actions(es []*domain.AuditEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Action
	}
	return out
}

// counts returns how many activity-log entries and notices exist.
func counts(t testing.TB, db *store.DB) (audit, notices int) {
	t.Helper()
	if err := db.SQL().QueryRowContext(t.Context(),
		`SELECT (SELECT COUNT(*) FROM audit_log), (SELECT COUNT(*) FROM notices)`).Scan(&audit, &notices); err != nil {
		t.Fatal(err)
	}
	return audit, notices
}

// unchanged fails unless fn leaves the activity log and the outbox as
// they were (R-NOTE-1), and returns fn's error.
func unchanged(t testing.TB, db *store.DB, fn func() error) error {
	t.Helper()
	a0, n0 := counts(t, db)
	err := fn()
	if a1, n1 := counts(t, db); a1 != a0 || n1 != n0 {
		t.Errorf("a refused change left %d audit entries and %d notices behind (err %v)", a1-a0, n1-n0, err)
	}
	return err
}

// emails lists the recipients of notices, sorted.
func emails(ns []*domain.Notice) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ToEmail
	}
	slices.Sort(out)
	return out
}

// wantContains fails unless s contains every part.
func wantContains(t testing.TB, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s %q does not contain %q", what, s, p)
		}
	}
}

// wantTime fails unless got equals want.
func wantTime(t testing.TB, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// str returns a pointer to s, for filters and updates.
func str(s string) *string { return &s }

// links returns the tokens of every link of the kind ("invitations" or
// "email-changes") mailed to email. Notices written in the same
// millisecond have no defined order, so callers compare sets rather than
// trusting the newest.
func (w *world) links(email, kind string) []string {
	w.t.Helper()
	var out []string
	for _, n := range w.mail(email, "") {
		for _, m := range linkRE.FindAllStringSubmatch(n.Body, -1) {
			if m[1] == kind {
				out = append(out, m[2])
			}
		}
	}
	return out
}

// newLink returns the one link of the kind mailed to email that is not
// among old, failing unless there is exactly one.
func (w *world) newLink(email, kind string, old []string) string {
	w.t.Helper()
	var fresh []string
	for _, l := range w.links(email, kind) {
		if !slices.Contains(old, l) {
			fresh = append(fresh, l)
		}
	}
	if len(fresh) != 1 {
		w.t.Fatalf("want one new %s link for %s, got %d", kind, email, len(fresh))
	}
	return fresh[0]
}
