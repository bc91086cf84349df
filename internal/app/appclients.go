package app

import (
	"context"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// The applications of a site that sign people in through Provisio
// (R-APP-2). Operators and the site's customer administrators register
// them; a confidential client's secret is shown once and kept hashed.

// NewAppClient is what it takes to register an application.
type NewAppClient struct {
	SiteID         string
	Name           string
	Public         bool // no secret; PKCE required (desktop and single-page apps)
	RedirectURIs   []string
	PostLogoutURIs []string
}

// CreateAppClient registers an application of a site and returns its
// secret ("" for a public client), shown this once. Codes: not_found,
// forbidden, invalid.
func (a *App) CreateAppClient(ctx context.Context, act Actor, in NewAppClient) (string, *domain.AppClient, error) {
	c, err := domain.CheckAppClient(domain.AppClient{SiteID: in.SiteID, Name: in.Name, Public: in.Public,
		RedirectURIs: in.RedirectURIs, PostLogoutURIs: in.PostLogoutURIs})
	if err != nil {
		return "", nil, err
	}
	secret, hash := "", ""
	if !c.Public {
		secret = identity.NewSecret("aps")
		hash = identity.HashSecret(secret)
	}
	err = a.write(ctx, act, func(u *unit) error {
		if _, err := u.appSite(ctx, in.SiteID); err != nil {
			return err
		}
		c.ID, c.CreatedBy, c.CreatedAt = domain.NewID("app", u.now), act.userID(), u.now
		if err := u.tx.CreateAppClient(ctx, &c, hash); err != nil {
			return err
		}
		return u.record(ctx, "app_client.create", "app_client", c.ID, u.siteOrg(ctx, c.SiteID), nil, c)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, &c, nil
}

// appSite loads a site whose applications the actor manages: operators
// and the customer's administrators (the same as its SCIM tokens).
func (u *unit) appSite(ctx context.Context, siteID string) (SiteView, error) {
	v, err := u.siteView(ctx, siteID)
	if err != nil {
		return v, err
	}
	if !v.Can.ManageAppTokens {
		return v, forbidden("R-APP-2", "only the customer's administrators and operators register a site's applications")
	}
	if v.Site.State == domain.SiteDeleted {
		return v, domain.NotFound("site")
	}
	return v, nil
}

// siteOrg is the customer of a site, for the activity log; "" if unknown.
func (u *unit) siteOrg(ctx context.Context, siteID string) string {
	s, err := u.tx.Site(ctx, domain.Everything, siteID)
	if err != nil {
		return ""
	}
	return s.CustomerID
}

// AppClients lists a site's applications. Codes: not_found, forbidden.
func (a *App) AppClients(ctx context.Context, act Actor, siteID string) (out []*domain.AppClient, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if _, err := u.appSite(ctx, siteID); err != nil {
			return err
		}
		out, err = u.tx.AppClients(ctx, siteID)
		return err
	})
	return out, err
}

// RotateAppClientSecret gives a confidential application a new secret,
// shown this once; the old one stops at once. Codes: not_found,
// forbidden, rule.
func (a *App) RotateAppClientSecret(ctx context.Context, act Actor, id string) (string, *domain.AppClient, error) {
	secret := identity.NewSecret("aps")
	var c *domain.AppClient
	err := a.write(ctx, act, func(u *unit) error {
		var err error
		if c, err = u.appClient(ctx, id); err != nil {
			return err
		}
		if c.Public {
			return domain.RuleError(domain.ERule, "R-APP-2", "%s is a public application: it has no secret (it uses PKCE)", c.Name)
		}
		if err := u.tx.SetAppClientSecret(ctx, c.ID, identity.HashSecret(secret)); err != nil {
			return err
		}
		return u.record(ctx, "app_client.rotate", "app_client", c.ID, u.siteOrg(ctx, c.SiteID), nil, c)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, c, nil
}

// DeleteAppClient removes an application; its tokens stop working.
// Codes: not_found, forbidden.
func (a *App) DeleteAppClient(ctx context.Context, act Actor, id string) error {
	return a.write(ctx, act, func(u *unit) error {
		c, err := u.appClient(ctx, id)
		if err != nil {
			return err
		}
		if err := u.tx.DeleteAppClient(ctx, c.ID, u.now); err != nil {
			return err
		}
		return u.record(ctx, "app_client.delete", "app_client", c.ID, u.siteOrg(ctx, c.SiteID), c, nil)
	})
}

// appClient loads an application whose site the actor manages; any other
// is not found.
func (u *unit) appClient(ctx context.Context, id string) (*domain.AppClient, error) {
	c, err := u.tx.AppClient(ctx, id)
	if err != nil {
		return nil, storeErr(err, "application", id)
	}
	if _, err := u.appSite(ctx, c.SiteID); err != nil {
		return nil, hideAs(err, "application", id)
	}
	return c, nil
}
