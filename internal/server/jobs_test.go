package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/mail"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestJobs_CommitWithTheChange: a change's jobs are queued in the
// change's own transaction (River's InsertManyTx, on PostgreSQL through
// the riverdatabasesql driver): when the queue cannot take them, the
// change is refused whole, with no user and no notice left behind; once
// it can, the change and its delivery job commit together (issue 15).
// R-NOTE-1
func TestJobs_CommitWithTheChange(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		// A mail server, so that invitations wait for delivery (the queue
		// is not started: nothing is sent).
		cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig(),
			SMTP: mail.SMTPConfig{Host: "127.0.0.1", Port: 2525, TLS: "none", From: "Provisio <noreply@provisio.example>"}}
		cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
		cfg.App.MFAFor = nil
		s := open(t, cfg)
		ctx, a := context.Background(), s.App
		op, _ := operator(t, ctx, a)
		cust, err := a.CreateOrg(ctx, op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		count := func(query string) (n int) {
			t.Helper()
			if err := s.DB.SQL().QueryRow(query).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		invite := func() error {
			_, _, err := a.CreateUser(ctx, op, app.NewUser{OrgID: cust.ID, Email: "carol@acme.example", Name: "Carol Admin",
				Roles: []domain.Role{domain.RoleCustomerAdmin}})
			return err
		}
		const carol = `SELECT COUNT(*) FROM users WHERE email = 'carol@acme.example'`
		const carolsMail = `SELECT COUNT(*) FROM notices WHERE to_email = 'carol@acme.example'`
		const deliveries = `SELECT COUNT(*) FROM river_job WHERE kind = 'deliver_notice'`
		before := count(deliveries)

		if _, err := s.DB.SQL().Exec(`ALTER TABLE river_job RENAME TO river_job_away`); err != nil {
			t.Fatal(err)
		}
		if err := invite(); err == nil {
			t.Fatal("the invitation went through while its job could not be queued")
		}
		if _, err := s.DB.SQL().Exec(`ALTER TABLE river_job_away RENAME TO river_job`); err != nil {
			t.Fatal(err)
		}
		if n, m := count(carol), count(carolsMail); n != 0 || m != 0 {
			t.Fatalf("a refused change left %d users and %d notices", n, m)
		}

		if err := invite(); err != nil {
			t.Fatal(err)
		}
		if n, m, j := count(carol), count(carolsMail), count(deliveries)-before; n != 1 || m != 1 || j != 1 {
			t.Fatalf("after the change: %d users, %d notices, %d delivery jobs", n, m, j)
		}
	})
}

// TestWrite_OneConnectionIsEnough: a change never takes a second database
// connection while it holds its transaction's (the check for directories,
// the queue's insert), so a pool that is busy to its last connection
// makes changes wait their turn instead of waiting forever. Shown with a
// PostgreSQL pool of one connection (issue 15). R-APP-3
func TestWrite_OneConnectionIsEnough(t *testing.T) {
	base := storetest.URL(t, store.Postgres) // skips without PostgreSQL
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	cfg := server.Config{DatabaseURL: base + sep + "pool_max_conns=1", App: app.DefaultConfig(),
		SMTP: mail.SMTPConfig{Host: "127.0.0.1", Port: 2525, TLS: "none", From: "Provisio <noreply@provisio.example>"}}
	cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	cfg.App.MFAFor = nil
	s := open(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := s.App
	op, _ := operator(t, ctx, a)
	cust, err := a.CreateOrg(ctx, op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	site, err := a.CreateSite(ctx, op, app.NewSite{CustomerID: cust.ID, Name: "acme-prod", Edition: domain.EditionStandard})
	if err != nil {
		t.Fatal(err)
	}
	// A suspension changes a site's access: the change asks whether any
	// site has a directory to bring into line (R-APP-3).
	if _, err := a.SuspendSite(ctx, op, site.ID, "unpaid invoice", time.Now().Add(24*time.Hour)); err != nil {
		t.Fatalf("suspend with one connection: %v", err)
	}
}
