package app

import (
	"context"
	"errors"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
)

// Access answers "may user U use site S (and company C) now?". It is the
// one place that decides, from one indexed query, and it compares expiry
// with now itself, so it never waits for the expiry job. Operators, the
// site's customer administrators and the user itself may ask; anyone may
// ask about themselves, seeing the site or not (an accountant has no
// tenant), and learns no more than "not assigned" about a site it cannot
// reach. Codes: not_found, forbidden.
func (a *App) Access(ctx context.Context, act Actor, siteID, userID, companyID string) (d domain.AccessDecision, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		self := act.User != nil && act.User.ID == userID
		f, err := u.AccessFacts(ctx, siteID, userID, companyID)
		switch {
		case errors.Is(err, store.ErrNotFound) && self:
			d = domain.AccessDecision{Reason: notAssigned}
			return nil
		case errors.Is(err, store.ErrNotFound):
			return domain.NotFound("site", siteID)
		case err != nil:
			return err
		}
		if !self && act.User != nil {
			cust := &domain.Org{ID: f.CustomerID, Kind: domain.OrgCustomer, PartnerID: f.PartnerID}
			if !act.seesOrg(cust) || f.SiteState == domain.SiteDeleted && !act.IsOperator() {
				return domain.NotFound("site", siteID)
			}
			custAdmin := act.Org != nil && act.Org.ID == cust.ID && act.User.IsAdmin()
			if !act.IsOperator() && !custAdmin {
				return forbidden("R-ORG-1", "only operators, the customer's administrators and the user itself ask about a user's access")
			}
		}
		d = decideFacts(f, siteID, companyID, u.now)
		return nil
	})
	return d, err
}

const notAssigned = "the user is not assigned to the site"

// decideFacts is the access rule over facts read from the store: the user is
// active (R-USER-5), the site ready (R-SITE-1), the grant unexpired, and,
// for a company, the user reaches it (R-SITE-3, R-ROLE-2).
func decideFacts(f *store.AccessFacts, siteID, companyID string, now time.Time) domain.AccessDecision {
	d := domain.AccessDecision{Role: f.Role, Via: f.Via, ExpiresAt: f.ExpiresAt}
	switch {
	case !f.Assigned:
		return domain.AccessDecision{Reason: notAssigned}
	case f.UserState != domain.UserActive:
		d.Reason = "the user is " + string(f.UserState)
	case f.SiteState != domain.SiteReady:
		d.Reason = "the site is " + string(f.SiteState)
	case !f.ExpiresAt.IsZero() && !now.Before(f.ExpiresAt):
		d.Reason = "the access expired at " + f.ExpiresAt.Format(time.RFC3339)
	case companyID == "":
		d.Allowed, d.Reason = true, "assigned to the site as "+string(f.Role)
	case f.CompanySiteID != siteID:
		d.Reason = "the company is not part of the site"
	case f.Role == domain.RoleCustomerOps:
		d.Allowed, d.Reason = true, "operations agents reach every company of their sites"
	case f.Role == domain.RoleCustomerAdmin:
		d.Reason = "customer administrators are not assigned to companies (R-ROLE-2)"
	case f.InCompany:
		d.Allowed, d.Reason = true, "assigned to the company"
	default:
		d.Reason = "the user is not assigned to the company"
	}
	return d
}
