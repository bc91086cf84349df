package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/provisio/provisio/internal/domain"
)

// Access answers "may user U use site S (and company C) now?". It reads
// the facts in one indexed query and applies domain.DecideAccess, which
// compares expiry with now itself, so it never waits for the expiry job.
// Operators, the site's customer administrators and the user itself may
// ask, about a site the asker sees (an accountant sees the sites it is
// assigned to). A site, user or company outside the asker's view is "not
// found" (R-ORG-1). Codes: not_found, forbidden.
func (a *App) Access(ctx context.Context, act Actor, siteID, userID, companyID string) (d domain.AccessDecision, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		s, cust, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		if companyID != "" {
			// A company of another site the actor sees is a plain "no"
			// below; one it cannot see is not found.
			if _, _, err := u.loadCompany(ctx, companyID); err != nil {
				return err
			}
		}
		if self := act.User != nil && act.User.ID == userID; !self && act.User != nil {
			if _, err := u.siteUser(ctx, s, userID); err != nil {
				return err
			}
			custAdmin := act.Org != nil && act.Org.ID == cust.ID && act.User.IsAdmin()
			if !act.IsOperator() && !custAdmin {
				return forbidden("R-ORG-1", "only operators, the customer's administrators and the user itself ask about a user's access")
			}
		}
		f, err := u.tx.AccessFacts(ctx, siteID, userID, companyID)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			d = domain.DecideAccess(domain.AccessFacts{}, siteID, companyID, u.now)
			return nil
		case err != nil:
			return fmt.Errorf("access facts of %s on %s: %w", userID, siteID, err)
		}
		d = domain.DecideAccess(*f, siteID, companyID, u.now)
		return nil
	})
	return d, err
}
