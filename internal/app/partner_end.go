package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// Partner access ends here: revoked by the customer, given up by the
// partner, extended, ended by unlinking the partner, or expired by time
// (SPEC section 6, R-PLUS-1). Requesting it is in partner_request.go,
// answering in partner_answer.go, and the lists in partner_lists.go.

// RevokeAccess ends a partner user's access to the customer's site at
// once (R-PARTNER-4). The customer's administrators may; the partner user
// is told, with the reason if one is given. Codes: not_found, forbidden,
// rule, invalid.
func (a *App) RevokeAccess(ctx context.Context, act Actor, siteID, userID, reason string) error {
	return a.write(ctx, act, func(u *unit) error {
		if err := u.because(reason); err != nil {
			return err
		}
		s, cust, err := u.siteAndUser(ctx, siteID, userID)
		if err != nil {
			return err
		}
		if act.User == nil || !act.sitePermissions(s, cust).RevokePartnerAccess {
			return forbidden("R-PARTNER-4", "only the customer's administrators revoke partner access")
		}
		as, err := u.tx.Assignment(ctx, s.ID, userID)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("assignment of %s to %s: %w", userID, s.ID, err)
		}
		if err != nil || as.Via != domain.ViaPartner {
			return domain.RuleError(domain.ENotFound, "R-PARTNER-4", "that user has no partner access to %s", s.Name)
		}
		return u.revokePartnerAccess(ctx, as, s)
	})
}

// UnassignPartner lets a partner give up access at any time: a partner
// administrator for any of its users, an agent for itself. A pending
// request is withdrawn; current access ends at once and the customer's
// administrators are told, with the reason if one is given (R-PARTNER-4).
// Codes: not_found, forbidden, invalid.
func (a *App) UnassignPartner(ctx context.Context, act Actor, siteID, userID, reason string) error {
	return a.write(ctx, act, func(u *unit) error {
		if err := u.because(reason); err != nil {
			return err
		}
		s, cust, usr, err := u.partnerAccess(ctx, siteID, userID)
		if err != nil {
			return err
		}
		if req, err := u.tx.PendingRequest(ctx, s.ID, usr.ID); err == nil {
			if err := u.closeRequest(ctx, req, domain.RequestWithdrawn, time.Time{}, "access_request.withdraw", cust.ID); err != nil {
				return err
			}
		} else if !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		as, err := u.tx.Assignment(ctx, s.ID, usr.ID)
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if err := u.tx.DeleteAssignment(ctx, s.ID, usr.ID, u.now); err != nil {
			return err
		}
		if err := u.record(ctx, "partner_access.unassign", "assignment", as.ID, cust.ID, as, nil); err != nil {
			return err
		}
		admins, err := u.tx.OrgAdmins(ctx, cust.ID, domain.RoleCustomerAdmin)
		if err != nil {
			return err
		}
		d := u.partnerData(ctx, s, usr, as.Role)
		d.Reason = u.reason
		return u.announce(ctx, domain.NoticeAccessRemoved, []string{cust.ID, usr.OrgID}, d, admins...)
	})
}

// RequestExtension asks the customer to extend a partner user's current
// access; it needs approval again (R-PLUS-1). Codes: not_found, forbidden,
// rule, conflict.
func (a *App) RequestExtension(ctx context.Context, act Actor, siteID, userID string) (req *domain.AccessRequest, err error) {
	err = a.write(ctx, act, func(u *unit) error {
		s, _, usr, err := u.partnerAccess(ctx, siteID, userID)
		if err != nil {
			return err
		}
		as, err := u.tx.Assignment(ctx, s.ID, usr.ID)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("assignment of %s to %s: %w", usr.ID, s.ID, err)
		}
		if err != nil || !as.Current(u.now) || as.Via != domain.ViaPartner {
			return domain.RuleError(domain.ERule, "R-PLUS-1", "%s has no current partner access to %s to extend", usr.Email, s.Name)
		}
		req, err = u.requestExtension(ctx, as)
		return err
	})
	return req, err
}

func (u *unit) requestExtension(ctx context.Context, as *domain.Assignment) (*domain.AccessRequest, error) {
	if as.ExpiresAt.IsZero() {
		return nil, domain.RuleError(domain.ERule, "R-PLUS-1", "this access does not expire")
	}
	s, err := u.tx.Site(ctx, domain.Everything, as.SiteID)
	if err != nil {
		return nil, err
	}
	cust, err := u.tx.Org(ctx, domain.Everything, s.CustomerID)
	if err != nil {
		return nil, err
	}
	usr, err := u.tx.User(ctx, domain.Everything, as.UserID)
	if err != nil {
		return nil, err
	}
	return u.openRequest(ctx, s, cust, usr, as.Role, domain.RequestExtension)
}

// endPartnerAccess ends what a partner that is no longer linked to the
// customer had on its sites: current access is removed and the partner
// user told, and waiting requests are withdrawn (R-PARTNER-6).
func (u *unit) endPartnerAccess(ctx context.Context, c *domain.Org, partnerID string) error {
	as, reqs, err := u.tx.PartnerAccessOn(ctx, c.ID, partnerID)
	if err != nil {
		return err
	}
	for _, req := range reqs {
		if err := u.closeRequest(ctx, req, domain.RequestWithdrawn, time.Time{}, "access_request.withdraw", c.ID); err != nil {
			return err
		}
	}
	for _, as := range as {
		s, err := u.tx.Site(ctx, domain.Everything, as.SiteID)
		if err != nil {
			return err
		}
		if err := u.revokePartnerAccess(ctx, as, s); err != nil {
			return err
		}
	}
	return nil
}

// ExpireAssignment removes one assignment whose time is up and tells both
// sides. It is a no-op when the assignment is gone, or was extended.
func (a *App) ExpireAssignment(ctx context.Context, id string) error {
	return a.write(ctx, System, func(u *unit) error {
		as, err := u.tx.AssignmentByID(ctx, id)
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		_, err = u.expireAssignment(ctx, as)
		return err
	})
}

// expireAssignment removes as if its time is still up, records it and
// tells both sides; it reports false when as was extended or is gone.
func (u *unit) expireAssignment(ctx context.Context, as *domain.Assignment) (bool, error) {
	err := u.tx.DeleteExpiredAssignment(ctx, as, u.now)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	usr, err := u.tx.User(ctx, domain.Everything, as.UserID)
	if err != nil {
		return false, err
	}
	return true, u.announceExpiry(ctx, as, usr)
}

// announceExpiry records an expiry and tells the partner user and the
// customer's administrators (R-PARTNER-2).
func (u *unit) announceExpiry(ctx context.Context, as *domain.Assignment, usr *domain.User) error {
	s, err := u.anySite(ctx, as.SiteID)
	if err != nil {
		return err
	}
	if err := u.record(ctx, "partner_access.expire", "assignment", as.ID, s.CustomerID, as, nil); err != nil {
		return err
	}
	admins, err := u.customerAdmins(ctx, s.CustomerID)
	if err != nil {
		return err
	}
	d := u.partnerData(ctx, s, usr, as.Role)
	d.ExpiresAt = as.ExpiresAt
	return u.announce(ctx, domain.NoticeAccessExpired, []string{s.CustomerID, usr.OrgID}, d, append(admins, usr)...)
}

// lapseRequest marks an unanswered request expired and tells the partner user.
func (u *unit) lapseRequest(ctx context.Context, req *domain.AccessRequest) error {
	s, err := u.tx.Site(ctx, domain.Everything, req.SiteID)
	if err != nil {
		return err
	}
	err = u.closeRequest(ctx, req, domain.RequestExpired, time.Time{}, "access_request.expire", s.CustomerID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil // answered meanwhile
	} else if err != nil {
		return err
	}
	usr, err := u.tx.User(ctx, domain.Everything, req.UserID)
	if err != nil {
		return err
	}
	d := u.partnerData(ctx, s, usr, req.Role)
	d.ExpiresAt = req.ExpiresAt
	return u.announce(ctx, domain.NoticeRequestExpired, []string{usr.OrgID, s.CustomerID}, d, usr)
}

// remind tells a partner user that access ends soon, with a one-step link
// to ask for an extension (R-PLUS-1).
func (u *unit) remind(ctx context.Context, as *domain.Assignment) error {
	if err := u.tx.MarkReminded(ctx, as.ID, u.now); err != nil {
		return err
	}
	s, err := u.tx.Site(ctx, domain.Everything, as.SiteID)
	if err != nil {
		return err
	}
	usr, err := u.tx.User(ctx, domain.Everything, as.UserID)
	if err != nil {
		return err
	}
	d := u.partnerData(ctx, s, usr, as.Role)
	d.ExpiresAt = as.ExpiresAt
	if d.Link, err = u.accessLink(ctx, "extend", "", as.ID, usr.ID, as.ExpiresAt); err != nil {
		return err
	}
	return u.notify(ctx, domain.NoticeAccessReminder, usr.OrgID, usr, d)
}
