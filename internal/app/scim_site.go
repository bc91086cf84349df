package app

import (
	"context"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// The site's user list for its application (R-APP-1): the users the
// access decision lets in now, and for AppRetention those who lost access,
// inactive, so the application can disable its own accounts. The
// application links a user to its own account by setting externalId.

func (u *unit) memberQuery(s *domain.Site, q domain.SCIMQuery) domain.SiteMemberQuery {
	return domain.SiteMemberQuery{SiteID: s.ID, Ready: s.State == domain.SiteReady, Now: u.now,
		Since: u.now.Add(-u.app.cfg.AppRetention), SCIMQuery: q}
}

// SCIMSiteMembers lists the site's users for its application, with the
// number of all matches. Codes: invalid (a filter it cannot apply).
func (a *App) SCIMSiteMembers(ctx context.Context, c SCIMClient, q domain.SCIMQuery) (out []*domain.SiteMember, total int, err error) {
	err = a.readEnrolling(ctx, c.act, func(u *unit) error {
		out, total, err = u.tx.SiteMembers(ctx, u.memberQuery(c.site, q))
		return err
	})
	if err == nil {
		err = a.recordRead(ctx, c, "site", c.site.ID, listDetail("Users", q, total))
	}
	return out, total, err
}

// SCIMSiteMember returns one user of the site's list. Codes: not_found.
func (a *App) SCIMSiteMember(ctx context.Context, c SCIMClient, userID string) (m *domain.SiteMember, err error) {
	err = a.readEnrolling(ctx, c.act, func(u *unit) error {
		m, err = u.tx.SiteMember(ctx, u.memberQuery(c.site, domain.SCIMQuery{}), userID)
		return storeErr(err, "user", userID)
	})
	if err == nil {
		err = a.recordRead(ctx, c, "user", userID, map[string]any{"resource": "User"})
	}
	return m, err
}

// SCIMLinkSiteUser records the application's own account for a user of
// the site (externalId; "" unlinks). ifMatch, unless "" or "*", must be
// the row's current ETag. Codes: not_found, invalid, precondition.
func (a *App) SCIMLinkSiteUser(ctx context.Context, c SCIMClient, userID, externalID, ifMatch string) (*domain.SiteMember, error) {
	externalID = strings.TrimSpace(externalID)
	if len(externalID) > 255 {
		return nil, &domain.Error{Code: domain.EInvalid, Field: "externalId", Message: "externalId is at most 255 characters"}
	}
	var m *domain.SiteMember
	err := a.writeEnrolling(ctx, c.act, func(u *unit) error {
		q := u.memberQuery(c.site, domain.SCIMQuery{})
		cur, err := u.tx.SiteMember(ctx, q, userID)
		if err != nil {
			return storeErr(err, "user", userID)
		}
		if ifMatch != "" && ifMatch != "*" && ifMatch != cur.ETag() {
			return &domain.Error{Code: domain.EPrecondition, Message: "the user changed since it was read; read it again"}
		}
		if cur.ExternalID == externalID {
			m = cur
			return nil
		}
		if err := u.tx.SetSiteLink(ctx, c.site.ID, userID, externalID, u.now); err != nil {
			return err
		}
		if err := u.record(ctx, "site_link.set", "user", userID, c.site.CustomerID,
			map[string]string{"site_id": c.site.ID, "external_id": cur.ExternalID},
			map[string]string{"site_id": c.site.ID, "external_id": externalID}); err != nil {
			return err
		}
		m, err = u.tx.SiteMember(ctx, q, userID)
		return err
	})
	return m, err
}

// SiteLinks is the site dashboard's view of its application (R-APP-1):
// each user New, Linked or Unlinked, and when the application last read
// the list.
type SiteLinks struct {
	Members  []*domain.SiteMember
	Total    int
	LastRead time.Time // zero: never
	// LastSignIn is when each member last signed in to one of the site's
	// applications through Provisio (R-APP-2).
	LastSignIn map[string]time.Time
}

// SiteLinks returns the site's users as its application sees them, a page
// at a time (start is 1-based). Codes: not_found, forbidden.
func (a *App) SiteLinks(ctx context.Context, act Actor, siteID string, start, count int) (out SiteLinks, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		v, err := u.siteView(ctx, siteID)
		if err != nil {
			return err
		}
		if !v.Can.ManageAppTokens {
			return forbidden("R-APP-1", "only the customer's administrators and operators see the site application's links")
		}
		out.Members, out.Total, err = u.tx.SiteMembers(ctx, u.memberQuery(v.Site, domain.SCIMQuery{StartIndex: start, Count: count}))
		if err != nil {
			return err
		}
		if out.LastRead, err = u.tx.SiteLastRead(ctx, v.Site.ID); err != nil {
			return err
		}
		ids := make([]string, len(out.Members))
		for i, m := range out.Members {
			ids[i] = m.User.ID
		}
		out.LastSignIn, err = u.tx.LastSignIns(ctx, v.Site.ID, ids)
		return err
	})
	return out, err
}
