package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
)

// RevokeAccess ends a partner user's access to the customer's site at
// once (R-PARTNER-4). The customer's administrators may; the partner user
// is told. Codes: not_found, forbidden, rule.
func (a *App) RevokeAccess(ctx context.Context, act Actor, siteID, userID string) error {
	return a.write(ctx, act, func(u *unit) error {
		s, cust, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		if _, err := u.siteUser(ctx, s, userID); err != nil {
			return err
		}
		if act.User == nil || !act.sitePermissions(s, cust).RevokePartnerAccess {
			return forbidden("R-PARTNER-4", "only the customer's administrators revoke partner access")
		}
		as, err := u.Assignment(ctx, s.ID, userID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("assignment of %s to %s: %w", userID, s.ID, err)
		}
		if err != nil || as.Via != domain.ViaPartner {
			return domain.RuleError(domain.ENotFound, "R-PARTNER-4", "user %q has no partner access to site %s", userID, s.ID)
		}
		return u.revokePartnerAccess(ctx, as, s)
	})
}

// UnassignPartner lets a partner give up access at any time: a partner
// administrator for any of its users, an agent for itself. A pending
// request is withdrawn; current access ends at once and the customer's
// administrators are told (R-PARTNER-4). Codes: not_found, forbidden.
func (a *App) UnassignPartner(ctx context.Context, act Actor, siteID, userID string) error {
	return a.write(ctx, act, func(u *unit) error {
		s, cust, err := u.partnerSite(ctx, siteID)
		if err != nil {
			return err
		}
		usr, err := u.partnerUser(ctx, userID)
		if err != nil {
			return err
		}
		if req, err := u.PendingRequest(ctx, s.ID, usr.ID); err == nil {
			if err := u.closeRequest(ctx, req, domain.RequestWithdrawn, time.Time{}, "access_request.withdraw", cust.ID); err != nil {
				return err
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		as, err := u.Assignment(ctx, s.ID, usr.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if err := u.DeleteAssignment(ctx, s.ID, usr.ID); err != nil {
			return err
		}
		if err := u.record(ctx, "partner_access.unassign", "assignment", as.ID, cust.ID, as, nil); err != nil {
			return err
		}
		admins, err := u.OrgAdmins(ctx, cust.ID, domain.RoleCustomerAdmin)
		if err != nil {
			return err
		}
		return u.announce(ctx, domain.NoticeAccessRemoved, []string{cust.ID, usr.OrgID}, u.partnerData(ctx, s, usr, as.Role), admins...)
	})
}

// RequestExtension asks the customer to extend a partner user's current
// access; it needs approval again (R-PLUS-1). Codes: not_found, forbidden,
// rule, conflict.
func (a *App) RequestExtension(ctx context.Context, act Actor, siteID, userID string) (req *domain.AccessRequest, err error) {
	err = a.write(ctx, act, func(u *unit) error {
		s, _, err := u.partnerSite(ctx, siteID)
		if err != nil {
			return err
		}
		usr, err := u.partnerUser(ctx, userID)
		if err != nil {
			return err
		}
		as, err := u.Assignment(ctx, s.ID, usr.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("assignment of %s to %s: %w", usr.ID, s.ID, err)
		}
		if err != nil || !as.Current(u.now) || as.Via != domain.ViaPartner {
			return domain.RuleError(domain.ERule, "R-PLUS-1", "%s has no current partner access to site %s to extend", usr.Email, s.ID)
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
	s, err := u.Site(ctx, as.SiteID)
	if err != nil {
		return nil, err
	}
	cust, err := u.Org(ctx, s.CustomerID)
	if err != nil {
		return nil, err
	}
	usr, err := u.User(ctx, as.UserID)
	if err != nil {
		return nil, err
	}
	return u.openRequest(ctx, s, cust, usr, as.Role, domain.RequestExtension)
}

// AccessRequests lists partner access requests: a customer's
// administrators see those for its sites, a partner those of its users,
// operators all. Codes: forbidden.
func (a *App) AccessRequests(ctx context.Context, act Actor, f domain.AccessRequestFilter) (out domain.List[*domain.AccessRequest], err error) {
	err = a.read(ctx, act, func(u *unit) error {
		out, err = u.accessRequests(ctx, f)
		return err
	})
	return out, err
}

// accessRequests lists the requests of f within the actor's view. A
// filter naming a site or a user outside that view answers "not found",
// like any other id of another tenant (R-ORG-1).
func (u *unit) accessRequests(ctx context.Context, f domain.AccessRequestFilter) (out domain.List[*domain.AccessRequest], err error) {
	if f.SiteID != nil {
		if _, _, err := u.loadSite(ctx, *f.SiteID); err != nil {
			return out, err
		}
	}
	if f.UserID != nil {
		if _, _, err := u.loadUser(ctx, *f.UserID); domain.ErrorCode(err) == domain.ENotFound {
			// A partner user who asked the customer for access is known to
			// the customer through its requests, and only so.
			probe := domain.AccessRequestFilter{UserID: f.UserID, Page: domain.Page{Limit: 1}}
			if err := u.scopeAccessRequests(&probe); domain.ErrorCode(err) == domain.EForbidden {
				return out, domain.NotFound("user", *f.UserID)
			} else if err != nil {
				return out, err
			}
			l, err := u.AccessRequests(ctx, probe, u.now)
			if err != nil {
				return out, err
			}
			if len(l.Items) == 0 || l.Items[0].UserID != *f.UserID {
				return out, domain.NotFound("user", *f.UserID)
			}
		} else if err != nil {
			return out, err
		}
	}
	if err := u.scopeAccessRequests(&f); err != nil {
		return out, err
	}
	out, err = u.AccessRequests(ctx, f, u.now)
	for _, r := range out.Items {
		r.State = r.EffectiveState(u.now)
	}
	return out, err
}

// scopeAccessRequests narrows f to the requests the actor may see: a
// customer's administrators those for its sites, a partner those of its
// users (an agent its own), operators all.
func (u *unit) scopeAccessRequests(f *domain.AccessRequestFilter) error {
	act := u.act
	if act.User == nil {
		return nil
	}
	if !act.Can().SeeRequests {
		return forbidden("R-PARTNER-1", "only administrators and partner users see access requests")
	}
	switch {
	case act.IsOperator():
	case act.Org.Kind == domain.OrgPartner:
		if !act.is(domain.RolePartnerAdmin) {
			f.UserID = &act.User.ID
		}
		f.PartnerID = &act.Org.ID
	case act.is(domain.RoleCustomerAdmin):
		f.CustomerID = &act.Org.ID
	}
	return nil
}

// PartnerGrants lists current partner access the actor should keep an eye
// on: a partner's own grants, or those on a customer's sites, soonest
// ending first.
func (a *App) PartnerGrants(ctx context.Context, act Actor) (out []*domain.SiteUser, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		switch {
		case act.Org == nil || act.IsOperator():
			return nil
		case act.Org.Kind == domain.OrgPartner:
			out, err = u.PartnerGrants(ctx, act.Org.ID, "", u.now)
		case act.Org.Kind == domain.OrgCustomer:
			out, err = u.PartnerGrants(ctx, "", act.Org.ID, u.now)
		}
		return err
	})
	return out, err
}
