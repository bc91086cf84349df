package app_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/store"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// world is a running app with the usual cast: an operator, a partner with
// an administrator and an agent, a linked customer with two
// administrators, an operations agent and a user, and a ready standard site.
type world struct {
	t        testing.TB
	ctx      context.Context
	app      *app.App
	clock    *clock
	op       app.Actor
	partner  *domain.Org
	pAdmin   app.Actor
	pAgent   *domain.User
	customer *domain.Org
	cAdmin   app.Actor
	cAdmin2  *domain.User
	cOps     app.Actor
	cUser    *domain.User
	site     *domain.Site
	site2    *domain.Site // scratch, for benchmarks
	company  *domain.Company
}

const testPassword = "correct horse battery staple"

func newApp(t testing.TB, db *store.DB) (*app.App, *clock) {
	t.Helper()
	return newAppWith(t, db, &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, nil)
}

// newAppWith is newApp on a given clock, with the settings changed by tune.
func newAppWith(t testing.TB, db *store.DB, c *clock, tune func(*app.Config)) (*app.App, *clock) {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	cfg.MFAFor = nil // sign-in tests turn it on
	emails, err := domain.NewEmailPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(&cfg)
	}
	a := app.New(bound(db), cfg, emails, c.Now, nil)
	a.SetSleep(func(context.Context, time.Duration) {}) // the sign-in slow-down: tests count it instead
	return a, c
}

func newWorld(t testing.TB, db *store.DB) *world {
	t.Helper()
	a, c := newApp(t, db)
	return worldOn(t, db, a, c)
}

// worldOn is newWorld over an app of the test's own settings.
func worldOn(t testing.TB, db *store.DB, a *app.App, c *clock) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), app: a, clock: c}
	opUser, link, err := a.Bootstrap(w.ctx, "Vendor", "olivia.operator@vendor.example", "Olivia Operator")
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	w.register(link)
	w.op = w.actor(opUser.ID)

	w.partner = must(t, of(a.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Northwind Partners"})))
	w.pAdmin = w.actor(w.activeUser(w.op, w.partner.ID, "paula.padmin@northwind.example", domain.RolePartnerAdmin).ID)
	w.pAgent = w.activeUser(w.op, w.partner.ID, "sam.agent@northwind.example", domain.RolePartnerAgent)

	w.customer = must(t, of(a.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme", PartnerID: w.partner.ID})))
	w.cAdmin = w.actor(w.activeUser(w.op, w.customer.ID, "carol.admin@acme.example", domain.RoleCustomerAdmin).ID)
	w.cAdmin2 = w.activeUser(w.op, w.customer.ID, "dan.admin@acme.example", domain.RoleCustomerAdmin)
	w.cOps = w.actor(w.activeUser(w.cAdmin, w.customer.ID, "oscar.ops@acme.example", domain.RoleCustomerOps).ID)
	w.cUser = w.activeUser(w.cAdmin, w.customer.ID, "uma.user@acme.example", domain.RoleCustomerUser)

	w.site = must(t, of(a.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-prod",
		Edition: domain.EditionStandard, Company: "Acme Ltd"})))
	cos := must(t, of(a.Companies(w.ctx, w.op, w.site.ID, domain.Page{})))
	w.company = cos.Items[0]
	return w
}

// result is what a call returned, packed by of for must.
type result[T any] struct {
	v   T
	err error
}

// of packs the value and the error a call returns, so that must can take
// them after the test: must(t, of(f())).
func of[T any](v T, err error) result[T] { return result[T]{v, err} }

// must returns the value of r; when r holds an error it fails the test.
func must[T any](tb testing.TB, r result[T]) T {
	tb.Helper()
	if r.err != nil {
		tb.Fatal(r.err)
	}
	return r.v
}

var linkRE = regexp.MustCompile(`/(invitations|email-changes)/([A-Za-z0-9_-]+)`)

// lastLink returns the token of the newest link of the given kind mailed to email.
func (w *world) lastLink(email, kind string) string {
	w.t.Helper()
	ns := must(w.t, of(w.app.Mailbox(w.ctx, app.System, domain.NoticeFilter{ToEmail: &email, Page: domain.Page{Limit: 200}})))
	for i := len(ns.Items) - 1; i >= 0; i-- {
		if m := linkRE.FindStringSubmatch(ns.Items[i].Body); m != nil && m[1] == kind {
			return m[2]
		}
	}
	w.t.Fatalf("no %s link mailed to %s", kind, email)
	return ""
}

func (w *world) register(link string) {
	w.t.Helper()
	m := linkRE.FindStringSubmatch(link)
	if _, err := w.app.AcceptInvitation(w.ctx, "127.0.0.1", m[2], testPassword); err != nil {
		w.t.Fatalf("accept invitation: %v", err)
	}
}

// invite creates an invited user through by.
func (w *world) invite(by app.Actor, orgID, email string, roles ...domain.Role) *domain.User {
	w.t.Helper()
	u, _, err := w.app.CreateUser(w.ctx, by, app.NewUser{OrgID: orgID, Email: email, Name: nameOf(email), Roles: roles})
	if err != nil {
		w.t.Fatalf("create %s: %v", email, err)
	}
	return u
}

// activeUser creates a user through by and registers it.
func (w *world) activeUser(by app.Actor, orgID, email string, roles ...domain.Role) *domain.User {
	w.t.Helper()
	u := w.invite(by, orgID, email, roles...)
	if _, err := w.app.AcceptInvitation(w.ctx, "127.0.0.1", w.lastLink(email, "invitations"), testPassword); err != nil {
		w.t.Fatalf("register %s: %v", email, err)
	}
	return must(w.t, of(w.app.User(w.ctx, app.System, u.ID)))
}

// actor signs in as the user with id, through an API token.
func (w *world) actor(id string) app.Actor {
	w.t.Helper()
	u := must(w.t, of(w.app.User(w.ctx, app.System, id)))
	secret, _, err := w.app.IssueToken(w.ctx, "127.0.0.1", u.Email, testPassword, "test")
	if err != nil {
		w.t.Fatalf("token for %s: %v", u.Email, err)
	}
	return must(w.t, of(w.app.Authenticate(w.ctx, secret, "127.0.0.1")))
}

func nameOf(email string) string {
	for i, c := range email {
		if c == '@' {
			return "Person " + email[:i]
		}
	}
	return email
}

// wantCode fails unless err is a domain error with the code and rule.
func wantCode(t testing.TB, err error, code, rule string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s %s error, got nil", code, rule)
	}
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("want code %s, got %s (%v)", code, got, err)
	}
	if rule != "" && domain.ErrorRule(err) != rule {
		t.Fatalf("want rule %s, got %q (%v)", rule, domain.ErrorRule(err), err)
	}
}

// bound is db as app uses it.
func bound(db *store.DB) app.Store {
	return store.Bind(db, func(tx *store.Tx) app.Tx { return tx })
}
