package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// RequestView is a partner access request as the actor sees it: with the
// names people read, whether the actor may answer it, and for how long
// access may be granted.
type RequestView struct {
	Request  *domain.AccessRequest
	SiteName string
	UserName string // the partner user who would get access
	// CanAnswer is set when the actor may approve or deny it now
	// (R-PARTNER-1).
	CanAnswer bool
	// MaxGrant is the longest access the site's edition allows
	// (R-PARTNER-2); zero means access does not expire.
	MaxGrant time.Duration
	// Grant is what became of the access an approved request gave:
	// GrantRunning, GrantExpired or GrantEnded; "" for other requests.
	Grant string
}

// What became of the access an approved request gave.
const (
	GrantRunning = "running" // the partner user has it now
	GrantExpired = "expired" // it ran to its end
	GrantEnded   = "ended"   // it was revoked or given up before its end
)

// grantOf says what became of the access approved request r gave, from
// what its user has on the site now (g).
func grantOf(r *domain.AccessRequest, g domain.GrantFate, now time.Time) string {
	as, end := g.Assignment, r.GrantedUntil
	switch {
	case r.State != domain.RequestApproved:
		return ""
	case as != nil && as.Via == domain.ViaPartner && as.Current(now):
		return GrantRunning
	case as == nil && !g.LeftAt.IsZero() && !end.IsZero() && g.LeftAt.Before(end):
		return GrantEnded // removed before its end
	case !end.IsZero() && !end.After(now):
		return GrantExpired
	}
	return GrantEnded
}

// MaxGrantDays is MaxGrant in whole days, at least one, for a form's
// upper bound.
func (v RequestView) MaxGrantDays() int { return SiteView{MaxGrant: v.MaxGrant}.MaxGrantDays() }

// AccessRequestViews lists the requests of f like AccessRequests, each
// with the names of its site and partner user and what the actor may do
// with it. Codes: forbidden, not_found.
func (a *App) AccessRequestViews(ctx context.Context, act Actor, f domain.AccessRequestFilter) (out domain.List[RequestView], err error) {
	err = a.read(ctx, act, func(u *unit) error {
		l, err := u.accessRequests(ctx, f)
		if err != nil {
			return err
		}
		out.NextCursor, out.Total = l.NextCursor, l.Total
		// The names and grants of the whole page are read at once; sites
		// are few and read once each.
		var userIDs, approved []string
		for _, r := range l.Items {
			userIDs = append(userIDs, r.UserID)
			if r.State == domain.RequestApproved {
				approved = append(approved, r.ID)
			}
		}
		slices.Sort(userIDs)
		names, err := u.tx.ObjectNames(ctx, slices.Compact(userIDs))
		if err != nil {
			return fmt.Errorf("names of the requests' users: %w", err)
		}
		grants, err := u.tx.RequestGrants(ctx, approved)
		if err != nil {
			return fmt.Errorf("grants of the approved requests: %w", err)
		}
		sites := map[string]SiteView{}
		for _, r := range l.Items {
			sv, ok := sites[r.SiteID]
			if !ok {
				s, cust, err := u.loadSite(ctx, r.SiteID)
				if err != nil {
					return fmt.Errorf("site of request %s: %w", r.ID, err)
				}
				sv = SiteView{Site: s, Customer: cust, Can: u.act.sitePermissions(s, cust), MaxGrant: u.app.cfg.PartnerAccess[s.Edition]}
				sites[r.SiteID] = sv
			}
			out.Items = append(out.Items, RequestView{Grant: grantOf(r, grants[r.ID], u.now), Request: r, SiteName: sv.Site.Name,
				UserName: names[r.UserID], MaxGrant: sv.MaxGrant, CanAnswer: sv.Can.AnswerRequests && r.State == domain.RequestPending})
		}
		return nil
	})
	return out, err
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
				return out, domain.NotFound("user")
			} else if err != nil {
				return out, err
			}
			l, err := u.tx.AccessRequests(ctx, probe, u.now)
			if err != nil {
				return out, err
			}
			if len(l.Items) == 0 || l.Items[0].UserID != *f.UserID {
				return out, domain.NotFound("user")
			}
		} else if err != nil {
			return out, err
		}
	}
	if err := u.scopeAccessRequests(&f); err != nil {
		return out, err
	}
	out, err = u.tx.AccessRequests(ctx, f, u.now)
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

// GrantView is a partner's current access to a site, with whether the
// actor may end it: a partner administrator for any of its people, an
// agent for itself (R-PARTNER-4).
type GrantView struct {
	*domain.SiteUser
	CanEnd bool
}

// PartnerGrants lists current partner access the actor should keep an eye
// on: a partner's own grants, those on a customer's sites, or, for
// operators, all of it, soonest ending first; access whose time is up is
// gone from it at once, swept or not.
func (a *App) PartnerGrants(ctx context.Context, act Actor) (out []GrantView, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		var gs []*domain.SiteUser
		switch {
		case act.IsOperator(): // every partner's, as their customers and they see them
			gs, err = u.tx.PartnerGrants(ctx, "", "", u.now)
		case act.Org == nil:
			return nil
		case act.Org.Kind == domain.OrgPartner:
			gs, err = u.tx.PartnerGrants(ctx, act.Org.ID, "", u.now)
		case act.Org.Kind == domain.OrgCustomer:
			gs, err = u.tx.PartnerGrants(ctx, "", act.Org.ID, u.now)
		}
		partner := act.Org.Kind == domain.OrgPartner
		for _, g := range gs {
			out = append(out, GrantView{SiteUser: g, CanEnd: partner && (act.is(domain.RolePartnerAdmin) || g.UserID == act.userID())})
		}
		return err
	})
	return out, err
}

// AccessRequestView returns one request with the names of its site and
// partner user, for a page that asks before answering it. Codes:
// not_found.
func (a *App) AccessRequestView(ctx context.Context, act Actor, id string) (v RequestView, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		r, err := u.tx.AccessRequest(ctx, act.scope(), id)
		if err != nil {
			return storeErr(err, "access request", id)
		}
		s, cust, err := u.loadSite(ctx, r.SiteID)
		if err != nil {
			return hideAs(err, "access request", id)
		}
		usr, err := u.tx.User(ctx, domain.Everything, r.UserID)
		if err != nil {
			return fmt.Errorf("user of request %s: %w", r.ID, err)
		}
		can := act.sitePermissions(s, cust)
		v = RequestView{Request: r, SiteName: s.Name, UserName: usr.Name, MaxGrant: u.app.cfg.PartnerAccess[s.Edition],
			CanAnswer: can.AnswerRequests && r.State == domain.RequestPending}
		return nil
	})
	return v, err
}
