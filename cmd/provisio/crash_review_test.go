package main_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestCrash_ReviewAutoRemove: a customer that chose automatic removal
// (R-PLUS-5) has a review past its due date with many users nobody
// confirmed; the server is killed with SIGKILL in the middle of removing
// them. After a restart every unconfirmed user is locked exactly once,
// with one notice each, the confirmed ones keep their access, and the
// administrators are told once.
func TestCrash_ReviewAutoRemove(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := build(t)
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) { crashReview(t, bin, d) })
}

func crashReview(t *testing.T, bin string, d store.Dialect) {
	dbURL := storetest.URL(t, d)
	smtpAddr, addr := freePort(t), freePort(t) // nothing listens for mail: notices wait in the outbox
	bootstrap(t, bin, dbURL, addr)
	db := openDB(t, dbURL)
	const n = 40
	reviewID, admins := seedOverdueReview(t, db, n)

	decided := func() (removed, total int) {
		_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM review_decisions WHERE review_id = $1 AND decision = 'auto_lock'`, reviewID).Scan(&removed)
		_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM review_decisions WHERE review_id = $1`, reviewID).Scan(&total)
		return removed, total
	}
	p := serve(t, bin, dbURL, addr, smtpAddr)
	removed, _ := decided()
	for deadline := time.Now().Add(30 * time.Second); removed == 0 && time.Now().Before(deadline); removed, _ = decided() {
		time.Sleep(2 * time.Millisecond)
	}
	p.kill()
	removed, _ = decided()
	if removed == 0 || removed == n {
		t.Fatalf("the kill was not mid-removal: %d of %d removed", removed, n)
	}
	t.Logf("killed with %d of %d users removed", removed, n)

	p = serve(t, bin, dbURL, addr, smtpAddr)
	var state string
	for deadline := time.Now().Add(60 * time.Second); state != domain.ReviewAutoClosed && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_ = db.SQL().QueryRow(`SELECT state FROM reviews WHERE id = $1`, reviewID).Scan(&state)
	}
	if state != domain.ReviewAutoClosed {
		t.Fatalf("the review is %q, not closed", state)
	}
	p.kill()
	removed, total := decided()
	var locked, locks, notices, told int
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM users WHERE email LIKE 'staff%' AND state = 'locked'`).Scan(&locked)
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'user.lock'`).Scan(&locks)
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM notices WHERE kind = 'review_removed'`).Scan(&notices)
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM notices WHERE kind = 'review_auto_removed'`).Scan(&told)
	if removed != n || total != n+admins || locked != n || locks != n || notices != n || told != admins {
		t.Fatalf("removed %d (decisions %d), locked %d, %d lock entries, %d notices to users, %d to administrators; want %d, %d, %d, %d, %d, %d",
			removed, total, locked, locks, notices, told, n, n+admins, n, n, n, admins)
	}
	var activeAdmins int
	_ = db.SQL().QueryRow(`SELECT COUNT(*) FROM users WHERE email LIKE 'admin%' AND state = 'active'`).Scan(&activeAdmins)
	if activeAdmins != admins {
		t.Fatalf("%d of %d confirmed administrators are active", activeAdmins, admins)
	}
}

// seedOverdueReview makes, straight through the store, a customer that
// chose automatic locking, with two administrators (confirmed) and n
// staff on a site, and its review of a campaign due an hour ago, as if
// the server had been down at the due date.
func seedOverdueReview(t *testing.T, db *store.DB, n int) (reviewID string, admins int) {
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.Write(ctx, func(tx *store.Tx) error {
		cust := &domain.Org{ID: domain.NewID("org", now), Kind: domain.OrgCustomer, Name: "Acme", ReviewAutoRemove: domain.DecideLock, CreatedAt: now}
		if err := tx.CreateOrg(ctx, cust); err != nil {
			return err
		}
		if err := tx.UpdateOrg(ctx, cust); err != nil {
			return err
		}
		site := &domain.Site{ID: domain.NewID("site", now), CustomerID: cust.ID, Name: "acme-prod", Edition: domain.EditionStandard,
			State: domain.SiteReady, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		c := &domain.Campaign{ID: domain.NewID("cmp", now), Name: "Overdue review", OpenedAt: now.Add(-31 * 24 * time.Hour),
			DueAt: now.Add(-time.Hour)}
		if err := tx.CreateCampaign(ctx, c); err != nil {
			return err
		}
		r := &domain.Review{ID: domain.NewID("rev", now), CampaignID: c.ID, OrgID: cust.ID, State: domain.ReviewOpen, DueAt: c.DueAt,
			CreatedAt: c.OpenedAt}
		if err := tx.CreateReview(ctx, r); err != nil {
			return err
		}
		reviewID = r.ID
		mk := func(email string, role domain.Role) (*domain.User, error) {
			u := &domain.User{ID: domain.NewID("usr", now), OrgID: cust.ID, Type: domain.TypeCustomer, Email: email,
				Name: strings.ToUpper(email[:1]) + email[1:strings.IndexByte(email, '@')], Roles: []domain.Role{role},
				State: domain.UserActive, CreatedAt: now, UpdatedAt: now}
			return u, tx.CreateUser(ctx, u)
		}
		for i := range 2 {
			u, err := mk(fmt.Sprintf("admin%d@acme.example", i), domain.RoleCustomerAdmin)
			if err != nil {
				return err
			}
			if err := tx.PutDecision(ctx, &domain.ReviewDecision{ReviewID: r.ID, UserID: u.ID, Decision: domain.DecideConfirm,
				DecidedBy: u.ID, DecidedAt: now, Snapshot: "{}"}); err != nil {
				return err
			}
			admins++
		}
		for i := range n {
			u, err := mk(fmt.Sprintf("staff%d@acme.example", i), domain.RoleCustomerUser)
			if err != nil {
				return err
			}
			if err := tx.CreateAssignment(ctx, &domain.Assignment{ID: domain.NewID("asg", now), SiteID: site.ID, UserID: u.ID,
				Role: domain.RoleCustomerUser, Via: domain.ViaMember, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return reviewID, admins
}
