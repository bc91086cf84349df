package app

import (
	"context"
	"fmt"
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
}

// MaxGrantDays is MaxGrant in whole days, at least one, for a form's
// upper bound.
func (v RequestView) MaxGrantDays() int { return SiteView{MaxGrant: v.MaxGrant}.MaxGrantDays() }

// AccessRequestViews lists the requests of f like AccessRequests, each
// with the names of its site and partner user and what the actor may do
// with it. Codes: forbidden, not_found.
func (a *App) AccessRequestViews(ctx context.Context, act Actor, f domain.AccessRequestFilter) (out []RequestView, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		l, err := u.accessRequests(ctx, f)
		if err != nil {
			return err
		}
		sites := map[string]SiteView{}
		names := map[string]string{}
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
			name, ok := names[r.UserID]
			if !ok {
				usr, err := u.User(ctx, r.UserID)
				if err != nil {
					return fmt.Errorf("user of request %s: %w", r.ID, err)
				}
				name, names[r.UserID] = usr.Name, usr.Name
			}
			out = append(out, RequestView{Request: r, SiteName: sv.Site.Name, UserName: name, MaxGrant: sv.MaxGrant,
				CanAnswer: sv.Can.AnswerRequests && r.State == domain.RequestPending})
		}
		return nil
	})
	return out, err
}
