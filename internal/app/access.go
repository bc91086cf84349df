package app

import (
	"context"
	"errors"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
)

// Access answers "may user U use site S (and company C) now?". It reads
// the facts in one indexed query and applies domain.DecideAccess, which
// compares expiry with now itself, so it never waits for the expiry job.
// Operators, the site's customer administrators and the user itself may
// ask; anyone may ask about themselves, seeing the site or not (an
// accountant has no tenant), and learns no more than "not assigned" about
// a site it cannot reach. Codes: not_found, forbidden.
func (a *App) Access(ctx context.Context, act Actor, siteID, userID, companyID string) (d domain.AccessDecision, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		self := act.User != nil && act.User.ID == userID
		f, err := u.AccessFacts(ctx, siteID, userID, companyID)
		switch {
		case errors.Is(err, store.ErrNotFound) && self:
			d = domain.DecideAccess(domain.AccessFacts{}, siteID, companyID, u.now)
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
		d = domain.DecideAccess(*f, siteID, companyID, u.now)
		return nil
	})
	return d, err
}
