package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestScope_ReadsByID: a read of tenant data by id finds only what the
// scope covers; anything else is ErrNotFound, as if it did not exist
// (R-ORG-1). Two partners each have a customer; the first also has a demo
// customer (R-ROLE-3); an accountant is assigned to one site.
func TestScope_ReadsByID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, o := range []*domain.Org{
				{ID: "org_p1", Kind: domain.OrgPartner, Name: "P1"}, {ID: "org_p2", Kind: domain.OrgPartner, Name: "P2"},
				{ID: "org_c1", Kind: domain.OrgCustomer, Name: "C1", PartnerID: "org_p1"},
				{ID: "org_d1", Kind: domain.OrgCustomer, Name: "D1", PartnerID: "org_p1", Demo: true},
				{ID: "org_c2", Kind: domain.OrgCustomer, Name: "C2", PartnerID: "org_p2"},
			} {
				o.CreatedAt = now
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			for _, u := range []*domain.User{
				{ID: "usr_p1", OrgID: "org_p1", Type: domain.TypePartner}, {ID: "usr_c1", OrgID: "org_c1", Type: domain.TypeCustomer},
				{ID: "usr_d1", OrgID: "org_d1", Type: domain.TypeCustomer}, {ID: "usr_c2", OrgID: "org_c2", Type: domain.TypeCustomer},
				{ID: "usr_acc", Type: domain.TypeAccountant},
			} {
				u.Email, u.Name, u.State, u.Roles, u.CreatedAt, u.UpdatedAt = u.ID+"@example.com", u.ID, domain.UserActive,
					[]domain.Role{domain.RoleCustomerUser}, now, now
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
			}
			for _, s := range []*domain.Site{
				{ID: "site_c1", CustomerID: "org_c1", State: domain.SiteReady}, {ID: "site_c1b", CustomerID: "org_c1", State: domain.SiteReady},
				{ID: "site_gone", CustomerID: "org_c1", State: domain.SiteDeleted}, {ID: "site_c2", CustomerID: "org_c2", State: domain.SiteReady},
			} {
				s.Name, s.Edition, s.CreatedAt, s.UpdatedAt = s.ID, domain.EditionStandard, now, now
				if err := tx.CreateSite(ctx, s); err != nil {
					return err
				}
			}
			for _, c := range []*domain.Company{{ID: "co_c1", SiteID: "site_c1"}, {ID: "co_c2", SiteID: "site_c2"}} {
				c.Name, c.CreatedAt = c.ID, now
				if err := tx.CreateCompany(ctx, c); err != nil {
					return err
				}
			}
			if err := tx.CreateAssignment(ctx, &domain.Assignment{ID: "asg_acc", SiteID: "site_c1b", UserID: "usr_acc",
				Role: domain.RoleAccountant, Via: domain.ViaAccountant, CreatedAt: now}); err != nil {
				return err
			}
			for _, r := range []*domain.AccessRequest{{ID: "req_c1", SiteID: "site_c1"}, {ID: "req_c2", SiteID: "site_c2"}} {
				r.UserID, r.Role, r.Kind, r.State, r.ExpiresAt, r.CreatedAt = "usr_p1", domain.RolePartnerAgent, domain.RequestGrant,
					domain.RequestPending, now.Add(1e12), now
				if err := tx.CreateAccessRequest(ctx, r); err != nil {
					return err
				}
			}
			for _, h := range []*domain.Webhook{{ID: "whk_c1", OrgID: "org_c1"}, {ID: "whk_c2", OrgID: "org_c2"}} {
				h.URL, h.Secret, h.CreatedAt = "http://127.0.0.1:9/"+h.ID, "secret", now
				if err := tx.CreateWebhook(ctx, h); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		read := map[string]func(tx *store.Tx, sc domain.Scope, id string) error{
			"org":     func(tx *store.Tx, sc domain.Scope, id string) error { _, err := tx.Org(ctx, sc, id); return err },
			"user":    func(tx *store.Tx, sc domain.Scope, id string) error { _, err := tx.User(ctx, sc, id); return err },
			"site":    func(tx *store.Tx, sc domain.Scope, id string) error { _, err := tx.Site(ctx, sc, id); return err },
			"company": func(tx *store.Tx, sc domain.Scope, id string) error { _, err := tx.Company(ctx, sc, id); return err },
			"request": func(tx *store.Tx, sc domain.Scope, id string) error {
				_, err := tx.AccessRequest(ctx, sc, id)
				return err
			},
			"webhook": func(tx *store.Tx, sc domain.Scope, id string) error { _, err := tx.Webhook(ctx, sc, id); return err },
		}
		all := map[string][]string{
			"org": {"org_p1", "org_p2", "org_c1", "org_d1", "org_c2"}, "user": {"usr_p1", "usr_c1", "usr_d1", "usr_c2", "usr_acc"},
			"site": {"site_c1", "site_c1b", "site_gone", "site_c2"}, "company": {"co_c1", "co_c2"},
			"request": {"req_c1", "req_c2"}, "webhook": {"whk_c1", "whk_c2"},
		}
		for _, tc := range []struct {
			name  string
			scope domain.Scope
			sees  []string
		}{
			{"Everything", domain.Everything, []string{"org_p1", "org_p2", "org_c1", "org_d1", "org_c2", "usr_p1", "usr_c1", "usr_d1",
				"usr_c2", "usr_acc", "site_c1", "site_c1b", "site_gone", "site_c2", "co_c1", "co_c2", "req_c1", "req_c2", "whk_c1", "whk_c2"}},
			{"Customer", domain.Scope{OrgID: "org_c1", UserID: "usr_c1"},
				[]string{"org_c1", "usr_c1", "site_c1", "site_c1b", "co_c1", "req_c1", "whk_c1"}},
			{"PartnerAgent", domain.Scope{OrgID: "org_p1", Partner: true, UserID: "usr_p1"},
				[]string{"org_p1", "org_c1", "org_d1", "usr_p1", "site_c1", "site_c1b", "co_c1", "req_c1"}},
			{"PartnerAdmin", domain.Scope{OrgID: "org_p1", Partner: true, DemoUsers: true, UserID: "usr_p1"},
				[]string{"org_p1", "org_c1", "org_d1", "usr_p1", "usr_d1", "site_c1", "site_c1b", "co_c1", "req_c1"}},
			{"Accountant", domain.Scope{UserID: "usr_acc", Accountant: true}, []string{"usr_acc", "site_c1b"}},
			{"Nobody", domain.Scope{}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				sees := map[string]bool{}
				for _, id := range tc.sees {
					sees[id] = true
				}
				err := db.Read(ctx, func(tx *store.Tx) error {
					for kind, ids := range all {
						for _, id := range ids {
							err := read[kind](tx, tc.scope, id)
							switch {
							case sees[id] && err != nil:
								return fmt.Errorf("%s %s: %w, want found", kind, id, err)
							case !sees[id] && !errors.Is(err, store.ErrNotFound):
								return fmt.Errorf("%s %s: %v, want ErrNotFound", kind, id, err)
							}
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
	})
}
