package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// BenchmarkCompliance measures the compliance report of a partner with
// 5 000 users across its 50 customers, each customer with a site its
// users are assigned to (R-AUDIT-2). The goal: under a second on SQLite;
// compare with the baseline, one access decision, in the same run.
func BenchmarkCompliance(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			w := newWorld(b, db)
			ctx := context.Background()
			seedPartner(b, db, w, 50, 100)
			b.Run("baseline_access_decision", func(b *testing.B) {
				for b.Loop() {
					if _, err := w.app.Access(ctx, w.op, w.site.ID, w.cUser.ID, ""); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("report_5000_users", func(b *testing.B) {
				for b.Loop() {
					r, err := w.app.Compliance(ctx, w.pAdmin, "")
					if err != nil || len(r.Findings) == 0 {
						b.Fatal(r.ByKind, err)
					}
				}
			})
		})
	}
}

// seedPartner gives the world's partner more customers, each with a site
// and users assigned to it, straight through the store; every tenth user
// looks generic, so the report has findings to write.
func seedPartner(b *testing.B, db *store.DB, w *world, customers, users int) {
	ctx := context.Background()
	now := w.clock.Now()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for c := range customers {
			o := &domain.Org{ID: domain.NewID("org", now), Kind: domain.OrgCustomer, Name: fmt.Sprint("Customer ", c),
				PartnerID: w.partner.ID, CreatedAt: now}
			if err := tx.CreateOrg(ctx, o); err != nil {
				return err
			}
			s := &domain.Site{ID: domain.NewID("site", now), CustomerID: o.ID, Name: fmt.Sprint("site-", c),
				Edition: domain.EditionStandard, State: domain.SiteReady, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateSite(ctx, s); err != nil {
				return err
			}
			for i := range users {
				role := domain.RoleCustomerUser
				if i < 2 {
					role = domain.RoleCustomerAdmin
				}
				u := &domain.User{ID: domain.NewID("usr", now), OrgID: o.ID, Type: domain.TypeCustomer,
					Email: fmt.Sprintf("person%d@customer%d.example", i, c), Name: fmt.Sprint("Person ", i), Roles: []domain.Role{role},
					State: domain.UserActive, Generic: i%10 == 0, CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				if err := tx.CreateAssignment(ctx, &domain.Assignment{ID: domain.NewID("asg", now), SiteID: s.ID, UserID: u.ID,
					Role: role, Via: domain.ViaMember, CreatedAt: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
