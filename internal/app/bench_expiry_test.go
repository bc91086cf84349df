package app_test

import (
	"context"
	"testing"

	"github.com/provisio/provisio/internal/loadtest"
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
				if err := loadtest.SeedDueGrants(ctx, db, w.site.ID, w.partner.ID, b.N, w.clock.Now()); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				res, err := w.app.Sweep(ctx)
				if err != nil || res.Expired != b.N {
					b.Fatalf("expired %d of %d: %v", res.Expired, b.N, err)
				}
			})
		})
	}
}
