package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/provisio/provisio/internal/domain"
)

// Tenancy (R-ORG-1): every read of tenant data by id goes through one of
// the load functions below, which read through the store with the actor's
// scope, so anything outside the actor's view is not found in SQL.
// Permission checks that follow may answer "forbidden", because by then
// the actor can see the object.

// seesOrg reports whether the actor may see org o at all.
func (act Actor) seesOrg(o *domain.Org) bool {
	switch {
	case act.User == nil:
		return true // the system
	case act.IsOperator():
		return true
	case act.Org == nil:
		return false
	case o.ID == act.Org.ID:
		return true
	case act.Org.Kind == domain.OrgPartner && o.Kind == domain.OrgCustomer && o.PartnerID == act.Org.ID:
		return true
	}
	return false
}

// seesUsersOf reports whether the actor may see the users of org o: its
// own organisation's, or every one for operators. A partner's view of a
// linked customer covers its sites, not its people, except for its demo
// customer (R-ROLE-3), whose users the partner manages.
func (act Actor) seesUsersOf(o *domain.Org) bool {
	if act.User == nil || act.IsOperator() || (act.Org != nil && o.ID == act.Org.ID) {
		return true
	}
	return act.is(domain.RolePartnerAdmin) && o.Demo && act.seesOrg(o)
}

// administers reports whether the actor administers org o's users: an
// operator anywhere, an organisation's own administrators, and a partner
// administrator in its demo customer.
func (act Actor) administers(o *domain.Org) bool {
	switch {
	case act.User == nil || act.IsOperator():
		return true
	case act.Org == nil || !act.seesOrg(o):
		return false
	case o.ID == act.Org.ID:
		return act.User.IsAdmin()
	}
	return act.is(domain.RolePartnerAdmin) && o.Demo
}

// scope is the tenant data the actor may read, for the store to filter on
// in SQL (R-ORG-1). It says in SQL what seesOrg and seesUsersOf say in Go.
func (act Actor) scope() domain.Scope {
	if act.User == nil || act.IsOperator() {
		return domain.Everything
	}
	sc := domain.Scope{UserID: act.User.ID, Accountant: act.isAccountant()}
	if act.Org != nil && act.Org.ID != "" {
		sc.OrgID = act.Org.ID
		sc.Partner = act.Org.Kind == domain.OrgPartner
		sc.DemoUsers = sc.Partner && act.is(domain.RolePartnerAdmin)
	}
	return sc
}

// loadOrg returns an organisation the actor may see.
func (u *unit) loadOrg(ctx context.Context, id string) (*domain.Org, error) {
	o, err := u.tx.Org(ctx, u.act.scope(), id)
	if err != nil {
		return nil, storeErr(err, "organisation", id)
	}
	return o, nil
}

// loadUser returns a user the actor may see, with its organisation (an
// empty customer for an accountant, which has none).
func (u *unit) loadUser(ctx context.Context, id string) (*domain.User, *domain.Org, error) {
	usr, err := u.tx.User(ctx, u.act.scope(), id)
	if err != nil {
		return nil, nil, storeErr(err, "user", id)
	}
	if usr.OrgID == "" {
		return usr, &domain.Org{Kind: domain.OrgCustomer}, nil
	}
	// The organisation of a user in scope is known to the actor.
	o, err := u.tx.Org(ctx, domain.Everything, usr.OrgID)
	if err != nil {
		return nil, nil, fmt.Errorf("organisation of user %s: %w", id, err)
	}
	return usr, o, nil
}

// loadSite returns a site the actor may see, with its customer: a site of
// its own or its linked customers, or, for an accountant, a site it is
// assigned to (R-ACCT-2). Deleted sites are operators' only.
func (u *unit) loadSite(ctx context.Context, id string) (*domain.Site, *domain.Org, error) {
	// The customer of a site in scope is known to the actor.
	s, o, err := u.tx.SiteWithCustomer(ctx, u.act.scope(), id)
	if err != nil {
		return nil, nil, storeErr(err, "site", id)
	}
	return s, o, nil
}

func (act Actor) isAccountant() bool {
	return act.User != nil && act.User.Type == domain.TypeAccountant
}

func forbidden(rule, format string, args ...any) error {
	return domain.RuleError(domain.EForbidden, rule, format, args...)
}

// siteUser resolves a user named together with a site the actor sees: a
// user the actor may see; a user of the customer's partner of record (the
// customer knows the partner staff who act on its sites); or anyone with
// access to the site (an accountant). Anyone else is "not found"
// (R-ORG-1), before any permission is checked, so that a refusal never
// tells whether the id exists elsewhere.
func (u *unit) siteUser(ctx context.Context, s *domain.Site, userID string) (*domain.User, error) {
	usr, _, err := u.loadUser(ctx, userID)
	if err == nil || domain.ErrorCode(err) != domain.ENotFound {
		return usr, err
	}
	hidden := err
	usr, err = u.tx.User(ctx, domain.Everything, userID)
	if err != nil {
		return nil, storeErr(err, "user", userID)
	}
	if usr.Type == domain.TypePartner {
		cust, err := u.tx.Org(ctx, domain.Everything, s.CustomerID)
		if err != nil {
			return nil, fmt.Errorf("customer of site %s: %w", s.ID, err)
		}
		if cust.PartnerID != "" && cust.PartnerID == usr.OrgID {
			return usr, nil
		}
	}
	switch _, err := u.tx.Assignment(ctx, s.ID, userID); {
	case err == nil:
		return usr, nil
	case errors.Is(err, domain.ErrNotFound):
		return nil, hidden
	default:
		return nil, fmt.Errorf("access of user %s to site %s: %w", userID, s.ID, err)
	}
}

// siteAndUser loads a site the actor sees and resolves a user named with
// it (siteUser), both before any permission is checked.
func (u *unit) siteAndUser(ctx context.Context, siteID, userID string) (*domain.Site, *domain.Org, error) {
	s, cust, err := u.loadSite(ctx, siteID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := u.siteUser(ctx, s, userID); err != nil {
		return nil, nil, err
	}
	return s, cust, nil
}

// seesObject reports whether the actor can load the object id names, for
// the kinds it can tell from the id's prefix (users, sites,
// organisations, companies). Other kinds are left to the caller.
func (u *unit) seesObject(ctx context.Context, id string) bool {
	prefix, _, _ := strings.Cut(id, "_")
	var err error
	switch prefix {
	case "usr":
		_, _, err = u.loadUser(ctx, id)
	case "site":
		_, _, err = u.loadSite(ctx, id)
	case "org":
		_, err = u.loadOrg(ctx, id)
	case "co":
		_, _, err = u.loadCompany(ctx, id)
	default:
		return false
	}
	return err == nil
}
