package app_test

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

// BenchmarkSweepExpiry measures the sweep's expiry of partner grants that
// are due (R-PARTNER-2), each with its activity-log entry and its notices
// to the partner user and the customer's administrators: ns/op is the
// cost of one expiry. The baseline is one empty committed transaction on
// the same database, so that ratio reads as "commits per expiry".
func BenchmarkSweepExpiry(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			w := newWorld(b, db)
			ctx := context.Background()
			b.Run("baseline_commit", func(b *testing.B) {
				for b.Loop() {
					if err := db.Write(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, "none", w.clock.Now()) }); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("expiry", func(b *testing.B) {
				seedDueGrants(b, db, w, b.N)
				b.ResetTimer()
				res, err := w.app.Sweep(ctx)
				if err != nil || res.Expired != b.N {
					b.Fatalf("expired %d of %d: %v", res.Expired, b.N, err)
				}
			})
		})
	}
}

// seedDueGrants adds n partner users of the world's partner, each with a
// partner grant to the world's site that ended a minute ago, straight
// through the store.
func seedDueGrants(b testing.TB, db *store.DB, w *world, n int) {
	ctx := context.Background()
	now := w.clock.Now()
	for start := 0; start < n; start += 1000 {
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := start; i < min(n, start+1000); i++ {
				u := &domain.User{ID: domain.NewID("usr", now), OrgID: w.partner.ID, Type: domain.TypePartner,
					Name:  fmt.Sprint("Agent ", i),
					Roles: []domain.Role{domain.RolePartnerAgent}, State: domain.UserActive, CreatedAt: now, UpdatedAt: now}
				u.Email = strings.ToLower(u.ID) + "@northwind.example"
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				a := &domain.Assignment{ID: domain.NewID("asg", now), SiteID: w.site.ID, UserID: u.ID, Role: domain.RolePartnerAgent,
					Via: domain.ViaPartner, ExpiresAt: now.Add(-time.Minute), CreatedAt: now.Add(-time.Hour)}
				if err := tx.CreateAssignment(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
