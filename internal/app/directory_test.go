package app_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/directory/ldaptest"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// directoryWorld is a world with a professional site whose directory is a
// real slapd, and partner access on professional sites lasting a day.
type directoryWorld struct {
	*world
	srv *ldaptest.Server
	pro *domain.Site
}

func newDirectoryWorld(t *testing.T, db *store.DB) *directoryWorld {
	srv := ldaptest.Start(t)
	a, c := newAppWith(t, db, &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, func(cfg *app.Config) {
		cfg.PartnerAccess[domain.EditionProfessional] = 24 * time.Hour
	})
	w := &directoryWorld{world: worldOn(t, db, a, c), srv: srv}
	w.pro = must(t, of(a.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-pro", Edition: domain.EditionProfessional})))
	cfg := srv.Config()
	must(t, of(a.SetSiteDirectory(w.ctx, w.op, w.pro.ID, app.DirectorySettings{URL: cfg.URL, BindDN: cfg.BindDN,
		BindPassword: cfg.BindPassword, BaseDN: cfg.BaseDN, Kind: "openldap"})))
	return w
}

// sync runs what the queue runs after a change, and returns its error.
func (w *directoryWorld) sync() error { return w.app.SyncDirectory(w.ctx, "", "") }

// entry is the directory's entry for email, or nil.
func (w *directoryWorld) entry(email string) *ldaptest.Entry {
	for _, e := range w.srv.Entries() {
		if e.DN == "uid="+email+","+ldaptest.PeopleDN {
			return &e
		}
	}
	return nil
}

func (w *directoryWorld) account(email string) *domain.DirectoryAccount {
	for _, a := range must(w.t, of(w.app.SiteDirectoryAccounts(w.ctx, w.op, w.pro.ID))) {
		if a.UserEmail == email {
			return a
		}
	}
	return nil
}

// R-APP-3: assigning a user to a professional site with a directory
// creates the account with a one-time password that must be changed; the
// user sees it once on the portal (never by email); removal, expiry and
// locking disable the account; reassignment gives a fresh password.
func TestDirectoryAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDirectoryWorld(t, db)
		uma := w.actor(w.cUser.ID)
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.pro.ID, w.cUser.ID, domain.RoleCustomerUser)))
		if err := w.sync(); err != nil {
			t.Fatal(err)
		}
		e := w.entry(w.cUser.Email)
		if e == nil || !e.Reset || e.Attrs["cn"][0] != w.cUser.Name || e.Attrs["mail"][0] != w.cUser.Email {
			t.Fatalf("entry: %+v", e)
		}
		if a := w.account(w.cUser.Email); a == nil || a.State != domain.AccountActive {
			t.Fatalf("account: %+v", a)
		}
		mails := w.mailed(w.cUser.Email, domain.NoticeDirectoryAccount)
		if len(mails) != 1 || !strings.Contains(mails[0].Body, "/directory-accounts") {
			t.Fatalf("notices: %+v", mails)
		}
		mine := must(t, of(w.app.MyDirectoryAccounts(w.ctx, uma)))
		if len(mine) != 1 || mine[0].SiteName != "acme-pro" || mine[0].Password == "" {
			t.Fatalf("my accounts: %+v", mine)
		}

		acct, pw, err := w.app.ShowDirectoryPassword(w.ctx, uma, w.pro.ID)
		if err != nil || len(pw) != 20 || acct.DN != e.DN {
			t.Fatalf("show: %q %+v %v", pw, acct, err)
		}
		if strings.Contains(mails[0].Body+mails[0].BodyHTML, pw) {
			t.Fatal("the password was emailed")
		}
		if err := w.srv.BindAs(e.DN, pw); !errors.Is(err, ldaptest.ErrMustChange) {
			t.Fatalf("bind with the one-time password: %v", err)
		}
		if _, _, err := w.app.ShowDirectoryPassword(w.ctx, uma, w.pro.ID); domain.ErrorCode(err) != domain.ERule ||
			!strings.Contains(err.Error(), "was shown on") {
			t.Fatalf("second view: %v", err)
		}
		if _, _, err := w.app.ShowDirectoryPassword(w.ctx, w.cAdmin, w.pro.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("another person's password: %v", err)
		}

		// Removal disables the account at once (after the queue's run).
		must(t, of(struct{}{}, w.app.UnassignUser(w.ctx, w.cAdmin, w.pro.ID, w.cUser.ID, "")))
		if err := w.sync(); err != nil {
			t.Fatal(err)
		}
		if e := w.entry(w.cUser.Email); e == nil || e.LockedAt == "" {
			t.Fatalf("after removal: %+v", e)
		}
		if err := w.srv.BindAs(e.DN, pw); err == nil || errors.Is(err, ldaptest.ErrMustChange) {
			t.Fatalf("a removed user binds: %v", err)
		}
		if a := w.account(w.cUser.Email); a.State != domain.AccountDisabled || a.Password != "" {
			t.Fatalf("account after removal: %+v", a)
		}

		// Assigned again: a fresh one-time password, shown once more.
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.pro.ID, w.cUser.ID, domain.RoleCustomerUser)))
		if err := w.sync(); err != nil {
			t.Fatal(err)
		}
		_, pw2, err := w.app.ShowDirectoryPassword(w.ctx, uma, w.pro.ID)
		if err != nil || pw2 == pw {
			t.Fatalf("second password: %v", err)
		}
		if err := w.srv.BindAs(e.DN, pw2); !errors.Is(err, ldaptest.ErrMustChange) {
			t.Fatalf("bind after reassignment: %v", err)
		}
		if n := len(w.srv.Entries()); n != 1 {
			t.Fatalf("%d entries, want 1", n)
		}

		// Locking disables it.
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		if err := w.sync(); err != nil {
			t.Fatal(err)
		}
		if err := w.srv.BindAs(e.DN, pw2); err == nil || errors.Is(err, ldaptest.ErrMustChange) {
			t.Fatalf("a locked user binds: %v", err)
		}

		// A partner grant's expiry disables the agent's account.
		must(t, of(w.app.RequestAccess(w.ctx, w.pAdmin, w.pro.ID, w.pAgent.ID, "")))
		if err := w.sync(); err != nil {
			t.Fatal(err)
		}
		if e := w.entry(w.pAgent.Email); e == nil || e.LockedAt != "" {
			t.Fatalf("agent's entry: %+v", e)
		}
		w.clock.Add(25 * time.Hour)
		if err := w.sync(); err != nil {
			t.Fatal(err)
		}
		if e := w.entry(w.pAgent.Email); e == nil || e.LockedAt == "" {
			t.Fatalf("agent's entry after expiry: %+v", e)
		}

		// The activity log tells the story.
		for _, action := range []string{"directory.account_created", "directory.password_shown", "directory.account_disabled"} {
			if es := must(t, of(w.app.Audit(w.ctx, w.op, domain.AuditFilter{Action: &action, Limit: 10}))); len(es) == 0 {
				t.Errorf("no %s in the activity log", action)
			}
		}
	})
}

// R-APP-3: with the directory down the account waits (the site page shows
// it pending, with why) and the access decision does not; once the
// directory is back the account is made, exactly once, with the password
// chosen before.
func TestDirectoryAccounts_DirectoryDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDirectoryWorld(t, db)
		w.srv.Stop()
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.pro.ID, w.cUser.ID, domain.RoleCustomerUser)))
		if d := must(t, of(w.app.Access(w.ctx, w.op, w.pro.ID, w.cUser.ID, ""))); !d.Allowed {
			t.Fatalf("the access decision waits for the directory: %+v", d)
		}
		for i := 0; i < 2; i++ {
			if err := w.sync(); err == nil || !strings.Contains(err.Error(), "cannot be reached") {
				t.Fatalf("sync with the directory down: %v", err)
			}
		}
		a := w.account(w.cUser.Email)
		if a == nil || a.State != domain.AccountCreating || !a.Pending() || a.Attempts != 2 || !strings.Contains(a.LastError, "cannot be reached") {
			t.Fatalf("pending account: %+v", a)
		}
		if _, _, err := w.app.ShowDirectoryPassword(w.ctx, w.actor(w.cUser.ID), w.pro.ID); domain.ErrorCode(err) != domain.ERule {
			t.Fatalf("password before the account exists: %v", err)
		}
		// R-AUDIT-2: the compliance report shows the failing directory until it is back.
		if f, ok := findings(t, w.world, w.cAdmin, w.customer.ID, domain.FindDirectory)["Acme"]; !ok || f.SiteName != "acme-pro" ||
			!strings.Contains(f.Detail, "cannot be reached") {
			t.Fatalf("compliance: %+v", f)
		}
		// The customer's administrators see it pending too; the test button says why.
		if got := must(t, of(w.app.SiteDirectoryAccounts(w.ctx, w.cAdmin, w.pro.ID))); len(got) != 1 || got[0].State != domain.AccountCreating {
			t.Fatalf("customer's view: %+v", got)
		}
		if c := must(t, of(w.app.TestSiteDirectory(w.ctx, w.op, w.pro.ID))); c.OK || !strings.Contains(c.Message, "cannot be reached") {
			t.Fatalf("test while down: %+v", c)
		}
		w.srv.Restart()
		if c := must(t, of(w.app.TestSiteDirectory(w.ctx, w.op, w.pro.ID))); !c.OK {
			t.Fatalf("test when back: %+v", c)
		}
		if err := w.sync(); err != nil {
			t.Fatal(err)
		}
		if err := w.sync(); err != nil {
			t.Fatal(err)
		}
		if n := len(w.srv.Entries()); n != 1 {
			t.Fatalf("%d entries, want 1", n)
		}
		if f := findings(t, w.world, w.op, "", domain.FindDirectory); len(f) != 0 {
			t.Fatalf("a working directory is still reported: %+v", f)
		}
		if a := w.account(w.cUser.Email); a.State != domain.AccountActive || a.LastError != "" || a.Attempts != 0 {
			t.Fatalf("account when back: %+v", a)
		}
		_, pw, err := w.app.ShowDirectoryPassword(w.ctx, w.actor(w.cUser.ID), w.pro.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.srv.BindAs(w.entry(w.cUser.Email).DN, pw); !errors.Is(err, ldaptest.ErrMustChange) {
			t.Fatalf("bind: %v", err)
		}
		if n := len(w.mailed(w.cUser.Email, domain.NoticeDirectoryAccount)); n != 1 {
			t.Fatalf("told %d times", n)
		}
	})
}

// R-APP-3: only operators set a directory, only on professional sites,
// and settings that cannot work are refused in plain words.
func TestSiteDirectory_Settings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		pro := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-pro", Edition: domain.EditionProfessional})))
		ok := app.DirectorySettings{URL: "ldaps://ldap.acme.example", BindDN: "cn=admin,dc=acme", BindPassword: "secret", BaseDN: "ou=people,dc=acme"}
		if _, err := w.app.SetSiteDirectory(w.ctx, w.op, w.site.ID, ok); domain.ErrorCode(err) != domain.ERule {
			t.Fatalf("standard site: %v", err)
		}
		if _, err := w.app.SetSiteDirectory(w.ctx, w.cAdmin, pro.ID, ok); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("customer sets: %v", err)
		}
		bad := ok
		bad.URL = "ldap://ldap.acme.example"
		if _, err := w.app.SetSiteDirectory(w.ctx, w.op, pro.ID, bad); domain.ErrorCode(err) != domain.EInvalid || !strings.Contains(err.Error(), "in clear") {
			t.Fatalf("clear text: %v", err)
		}
		d := must(t, of(w.app.SetSiteDirectory(w.ctx, w.op, pro.ID, ok)))
		if d.BindPassword != "" || d.Flavor != "openldap" {
			t.Fatalf("set: %+v", d)
		}
		// Changing settings without the password keeps it.
		ok.BindPassword, ok.BaseDN = "", "ou=staff,dc=acme"
		must(t, of(w.app.SetSiteDirectory(w.ctx, w.op, pro.ID, ok)))
		if got := must(t, of(w.app.SiteDirectory(w.ctx, w.op, pro.ID))); got.BaseDN != "ou=staff,dc=acme" || got.BindPassword != "" {
			t.Fatalf("read back: %+v", got)
		}
		if _, err := w.app.SiteDirectory(w.ctx, w.cAdmin, pro.ID); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("customer reads settings: %v", err)
		}
		if _, err := w.app.SiteDirectory(w.ctx, w.op, w.site.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("no directory: %v", err)
		}
	})
}
