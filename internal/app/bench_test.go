package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// BenchmarkAccess measures the access decision, the hot path of DESIGN.md,
// against a same-process baseline (a trivial SELECT 1 on the same
// database), with few and with many assignments: the indexed query should
// cost the same either way. Compare the ns/op of each case with its
// baseline.
func BenchmarkAccess(b *testing.B) {
	for _, d := range storetest.Dialects() {
		for _, extra := range []int{0, 5000} {
			b.Run(fmt.Sprintf("%s/assignments=%d", d, extra), func(b *testing.B) {
				db := storetest.Open(b, d)
				w := newWorld(b, db)
				ctx := context.Background()
				must(b, of(w.app.AssignUser(ctx, w.cAdmin, w.site.ID, w.cUser.ID, "")))
				seedAssignments(b, db, w, extra)
				b.Run("baseline_select1", func(b *testing.B) {
					for b.Loop() {
						var one int
						if err := db.SQL().QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("access", func(b *testing.B) {
					for b.Loop() {
						dec, err := w.app.Access(ctx, w.cAdmin, w.site.ID, w.cUser.ID, w.company.ID)
						if err != nil || dec.Allowed {
							b.Fatalf("%+v %v", dec, err) // uma is not in the company: refused
						}
					}
				})
			})
		}
	}
}

// seedAssignments adds n active users of the customer, each assigned to a
// site of its own, straight through the store.
func seedAssignments(b *testing.B, db *store.DB, w *world, n int) {
	ctx := context.Background()
	now := w.clock.Now()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range n {
			if i%100 == 0 {
				s := &domain.Site{ID: domain.NewID("site", now), CustomerID: w.customer.ID, Name: fmt.Sprint("s", i),
					Edition: domain.EditionStandard, State: domain.SiteReady, CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateSite(ctx, s); err != nil {
					return err
				}
				w.site2 = s
			}
			u := &domain.User{ID: domain.NewID("usr", now), OrgID: w.customer.ID, Type: domain.TypeCustomer,
				Email: fmt.Sprintf("bench%d@acme.example", i), Name: "Bench", Roles: []domain.Role{domain.RoleCustomerUser},
				State: domain.UserActive, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			a := &domain.Assignment{ID: domain.NewID("asg", now), SiteID: w.site2.ID, UserID: u.ID,
				Role: domain.RoleCustomerUser, Via: domain.ViaMember, CreatedAt: now}
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
