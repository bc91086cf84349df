package store_test

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

// TestPaging_IndexServesTheOrder: each list that pages by cursor within
// a tenant (an organisation's users, a customer's sites, a site's users
// and requests, a partner user's requests, a person's notices and
// notifications, a partner's customers, the outbox's notices waiting for
// delivery) reads its page through an index in cursor order, never by
// sorting every match, on both databases (issue 15: paging that does not
// grow with the tenant). The database's own plan is checked. R-NOTE-1
func TestPaging_IndexServesTheOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		partner := &domain.Org{ID: domain.NewID("org", now), Kind: domain.OrgPartner, Name: "Northwind", CreatedAt: now}
		cust := &domain.Org{ID: domain.NewID("org", now), Kind: domain.OrgCustomer, Name: "Acme", PartnerID: partner.ID, CreatedAt: now}
		site := &domain.Site{ID: domain.NewID("site", now), CustomerID: cust.ID, Name: "acme-prod", Edition: domain.EditionStandard,
			State: domain.SiteReady, CreatedAt: now, UpdatedAt: now}
		var agent *domain.User
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, o := range []*domain.Org{partner, cust} {
				if err := tx.CreateOrg(ctx, o); err != nil {
					return err
				}
			}
			if err := tx.CreateSite(ctx, site); err != nil {
				return err
			}
			for i := range 30 {
				org, typ, role := cust.ID, domain.TypeCustomer, domain.RoleCustomerUser
				if i%3 == 0 {
					org, typ, role = partner.ID, domain.TypePartner, domain.RolePartnerAgent
				}
				u := &domain.User{ID: domain.NewID("usr", now), OrgID: org, Type: typ, Email: fmt.Sprintf("u%d@example.com", i), Name: "U",
					Roles: []domain.Role{role}, State: domain.UserActive, CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				if err := tx.CreateAssignment(ctx, &domain.Assignment{ID: domain.NewID("asg", now), SiteID: site.ID, UserID: u.ID, Role: role,
					Via: domain.ViaMember, CreatedAt: now}); err != nil {
					return err
				}
				if typ == domain.TypePartner {
					agent = u
					if err := tx.CreateAccessRequest(ctx, &domain.AccessRequest{ID: domain.NewID("req", now), SiteID: site.ID, UserID: u.ID,
						Role: role, Kind: "grant", State: domain.RequestDenied, ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
						return err
					}
				}
				if err := tx.CreateNotices(ctx, []*domain.Notice{{ID: domain.NewID("ntc", now), Kind: domain.NoticeInvitation, OrgID: org,
					ToUserID: u.ID, ToEmail: u.Email, Subject: "s", Body: "b", State: "pending", CreatedAt: now}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		pg := domain.Page{Limit: 10, Cursor: "a"}
		email := "u1@example.com"
		for _, tc := range []struct {
			name  string
			list  func(tx *store.Tx) error
			index string // the index the plan must name, if one is meant for it
		}{
			{"an organisation's users", func(tx *store.Tx) error {
				_, err := tx.Users(ctx, domain.UserFilter{OrgID: &cust.ID, Page: pg})
				return err
			}, "users_org"},
			{"a customer's sites", func(tx *store.Tx) error {
				_, err := tx.Sites(ctx, domain.SiteFilter{CustomerID: &cust.ID, Page: pg})
				return err
			}, "sites_customer"},
			{"a site's users", func(tx *store.Tx) error {
				_, err := tx.SiteUsers(ctx, site.ID, now, pg)
				return err
			}, "site_assignments_site_id"},
			{"a site's requests", func(tx *store.Tx) error {
				_, err := tx.AccessRequests(ctx, domain.AccessRequestFilter{SiteID: &site.ID, Page: pg}, now)
				return err
			}, "access_requests_site"},
			{"a partner user's requests", func(tx *store.Tx) error {
				_, err := tx.AccessRequests(ctx, domain.AccessRequestFilter{UserID: &agent.ID, Page: pg}, now)
				return err
			}, "access_requests_user"},
			{"a person's notices", func(tx *store.Tx) error {
				_, err := tx.Notices(ctx, domain.NoticeFilter{ToEmail: &email, Page: pg})
				return err
			}, "notices_to"},
			{"a person's notifications, newest first", func(tx *store.Tx) error {
				_, err := tx.UserNotices(ctx, agent.ID, 100)
				return err
			}, "notices_user"},
			{"the notices waiting for delivery", func(tx *store.Tx) error {
				_, err := tx.PendingNotices(ctx, 100)
				return err
			}, "notices_pending"},
			{"a customer's administrators, told of every change", func(tx *store.Tx) error {
				_, err := tx.OrgAdmins(ctx, cust.ID, domain.RoleCustomerAdmin)
				return err
			}, "users_org_admins"},
			{"a partner's customers", func(tx *store.Tx) error {
				_, err := tx.Orgs(ctx, domain.OrgFilter{PartnerID: &partner.ID, Page: pg})
				return err
			}, "orgs_partner"},
		} {
			plans, err := db.QueryPlans(ctx, tc.list)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			page := plans[0] // the list's own query; what follows reads the page's rows
			if !strings.Contains(page, tc.index) {
				t.Errorf("%s: the plan does not use %s:\n%s", tc.name, tc.index, page)
			}
			for _, bad := range []string{"TEMP B-TREE", "Sort", "Seq Scan", "SCAN "} {
				if strings.Contains(page, bad) {
					t.Errorf("%s: the page is not read through an index in cursor order (%s):\n%s", tc.name, bad, page)
				}
			}
		}
	})
}
