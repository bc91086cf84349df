// Package loadtest measures Provisio under load (issue 15): it seeds a
// tenant mix through the app, serves it in this process, drives the hot
// paths with vegeta at given concurrencies, and reports each figure beside
// a trivial JSON handler run in the same process, as a ratio.
package loadtest

import (
	"context"
	"fmt"
	"regexp"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

const password = "a long enough password for load"

// World is what the load drives: a customer with users on a site, a
// partner whose agents ask for access, and the credentials to call with.
type World struct {
	SiteID     string
	UserIDs    []string // the site's users
	AdminToken string   // the customer's administrator
	SCIMToken  string   // the site application's
	Requests   []string // pending partner requests, to approve
}

var inviteRE = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]+)`)

// Seed builds the world through the app: users are invited and register
// as people do. users is the site's size, requests the pending partner
// requests.
func Seed(ctx context.Context, a *app.App, users, requests int) (*World, error) {
	w := &World{}
	opUser, link, err := a.Bootstrap(ctx, "Vendor", "olivia@vendor.example", "Olivia Operator")
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	register := func(link string) error {
		m := inviteRE.FindStringSubmatch(link)
		if m == nil {
			return fmt.Errorf("no invitation in %q", link)
		}
		_, err := a.AcceptInvitation(ctx, "127.0.0.1", m[1], password)
		return err
	}
	if err := register(link); err != nil {
		return nil, err
	}
	actor := func(email string) (app.Actor, string, error) {
		secret, _, err := a.IssueToken(ctx, "127.0.0.1", email, password, "load")
		if err != nil {
			return app.Actor{}, "", err
		}
		act, err := a.Authenticate(ctx, secret, "127.0.0.1")
		return act, secret, err
	}
	op, _, err := actor(opUser.Email)
	if err != nil {
		return nil, err
	}
	invite := func(by app.Actor, orgID, email, name string, role domain.Role) (*domain.User, error) {
		u, _, err := a.CreateUser(ctx, by, app.NewUser{OrgID: orgID, Email: email, Name: name, Roles: []domain.Role{role}})
		if err != nil {
			return nil, fmt.Errorf("invite %s: %w", email, err)
		}
		kind := domain.NoticeInvitation
		l, err := a.Mailbox(ctx, app.System, domain.NoticeFilter{ToEmail: &u.Email, Kind: &kind, Page: domain.Page{Limit: 1}})
		if err != nil || len(l.Items) == 0 {
			return nil, fmt.Errorf("invitation of %s: %v", email, err)
		}
		return u, register(l.Items[0].Body)
	}
	partner, err := a.CreateOrg(ctx, op, app.NewOrg{Kind: domain.OrgPartner, Name: "Northwind Partners"})
	if err != nil {
		return nil, err
	}
	cust, err := a.CreateOrg(ctx, op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme", PartnerID: partner.ID})
	if err != nil {
		return nil, err
	}
	if _, err := invite(op, cust.ID, "carol@acme.example", "Carol Admin", domain.RoleCustomerAdmin); err != nil {
		return nil, err
	}
	if _, err := invite(op, partner.ID, "paula@northwind.example", "Paula Partner", domain.RolePartnerAdmin); err != nil {
		return nil, err
	}
	carol, carolToken, err := actor("carol@acme.example")
	if err != nil {
		return nil, err
	}
	paula, _, err := actor("paula@northwind.example")
	if err != nil {
		return nil, err
	}
	w.AdminToken = carolToken
	site, err := a.CreateSite(ctx, op, app.NewSite{CustomerID: cust.ID, Name: "acme-prod", Edition: domain.EditionStandard, Company: "Acme Ltd"})
	if err != nil {
		return nil, err
	}
	w.SiteID = site.ID
	for i := range users {
		u, err := invite(carol, cust.ID, fmt.Sprintf("user%05d@acme.example", i), fmt.Sprintf("User %05d", i), domain.RoleCustomerUser)
		if err != nil {
			return nil, err
		}
		if _, err := a.AssignUser(ctx, carol, site.ID, u.ID, ""); err != nil {
			return nil, err
		}
		w.UserIDs = append(w.UserIDs, u.ID)
	}
	for i := range requests {
		agent, err := invite(paula, partner.ID, fmt.Sprintf("agent%05d@northwind.example", i), fmt.Sprintf("Agent %05d", i), domain.RolePartnerAgent)
		if err != nil {
			return nil, err
		}
		res, err := a.RequestAccess(ctx, paula, site.ID, agent.ID, "")
		if err != nil {
			return nil, err
		}
		w.Requests = append(w.Requests, res.Request.ID)
	}
	if w.SCIMToken, _, err = a.CreateSCIMToken(ctx, carol, app.NewSCIMToken{SiteID: site.ID, Name: "acme-prod web portal"}); err != nil {
		return nil, err
	}
	return w, nil
}
