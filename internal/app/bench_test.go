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

// BenchmarkSiteUsersPage measures a 100-row page of a site's users (its
// dashboard, R-SITE-4) in a site of 10 000 users against the same page of
// a site of 100: with the cursor served by an index the two should cost
// about the same (issue 15: at most 1.5 times). Compare sites=10000 with
// sites=100.
func BenchmarkSiteUsersPage(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			w := newWorld(b, db)
			ctx := context.Background()
			for _, n := range []int{100, 10000} {
				site := seedSite(b, db, w, n)
				// The statistics a live database keeps (PostgreSQL's autovacuum
				// gathers them soon after a bulk load like this one).
				if _, err := db.SQL().ExecContext(ctx, "ANALYZE"); err != nil {
					b.Fatal(err)
				}
				// A page from the middle of the big site (the cursor is the
				// id of the row before it); the small site's only page.
				cursor := ""
				if n > 100 {
					all := must(b, of(w.app.SiteUsers(ctx, w.op, site.ID, domain.Page{Limit: domain.MaxPageSize, Cursor: ""})))
					for range n / 2 / domain.MaxPageSize {
						all = must(b, of(w.app.SiteUsers(ctx, w.op, site.ID, domain.Page{Limit: domain.MaxPageSize, Cursor: all.NextCursor})))
					}
					cursor = all.NextCursor
				}
				b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
					for b.Loop() {
						l, err := w.app.SiteUsers(ctx, w.op, site.ID, domain.Page{Limit: 100, Cursor: cursor})
						if err != nil || len(l.Items) != 100 {
							b.Fatalf("%d rows: %v", len(l.Items), err)
						}
					}
				})
			}
		})
	}
}
