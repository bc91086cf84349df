package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// SCIM tokens (R-APP-1, R-APP-4). A token is random, shown once, and kept
// only as a hash. An organisation token lets the organisation's identity
// provider manage its users; a site token lets the site's application
// read the site's users and link them to its own accounts.

// SCIMClient is an authenticated SCIM caller. Handlers pass it back to
// the SCIM use cases, which act within its organisation or site only.
type SCIMClient struct {
	Token *domain.SCIMToken
	org   *domain.Org
	site  *domain.Site
	act   Actor
}

// IsSite reports whether the client is a site's application (R-APP-1)
// rather than an organisation's identity provider (R-APP-4).
func (c SCIMClient) IsSite() bool { return c.site != nil }

// SCIMAuthenticate returns the client behind a SCIM token. Revoked tokens,
// and tokens of deleted sites, do not work. Codes: unauthorized.
func (a *App) SCIMAuthenticate(ctx context.Context, secret, remoteAddr string) (SCIMClient, error) {
	var c SCIMClient
	err := a.readEnrolling(ctx, System, func(u *unit) error {
		t, err := u.tx.SCIMTokenByHash(ctx, identity.HashSecret(secret))
		if err != nil {
			return err
		}
		c.Token = t
		if c.org, err = u.tx.Org(ctx, domain.Everything, t.OrgID); err != nil {
			return err
		}
		if t.SiteID != "" {
			if c.site, err = u.tx.Site(ctx, domain.Everything, t.SiteID); err != nil {
				return err
			}
			if c.site.State == domain.SiteDeleted {
				return domain.ErrNotFound
			}
		}
		return nil
	})
	if errors.Is(err, domain.ErrNotFound) {
		return SCIMClient{}, &domain.Error{Code: domain.EUnauthorized, Message: "the SCIM token is unknown or revoked"}
	} else if err != nil {
		return SCIMClient{}, err
	}
	c.act = Actor{Org: c.org, RemoteAddr: remoteAddr, client: c.Token}
	// Record use at most once a minute, so authenticating stays a read;
	// for a site it is "when the application last read the list".
	if now := a.now(); now.Sub(c.Token.LastUsedAt) > time.Minute {
		if err := a.db.Write(ctx, func(tx Tx) error { return tx.TouchSCIMToken(ctx, c.Token.ID, now) }); err != nil {
			a.log.Warn("record SCIM token use", "token", c.Token.ID, "err", err)
		}
	}
	return c, nil
}

// NewSCIMToken is what it takes to create a SCIM token.
type NewSCIMToken struct {
	OrgID  string // an organisation token (R-APP-4), or
	SiteID string // a site token (R-APP-1)
	Name   string // who will use it, e.g. "Entra ID" or "acme-prod web portal"
}

// CreateSCIMToken creates a token and returns its secret, which is shown
// this once. Codes: not_found, forbidden, invalid.
func (a *App) CreateSCIMToken(ctx context.Context, act Actor, in NewSCIMToken) (string, *domain.SCIMToken, error) {
	name := trimmed(in.Name)
	if name == "" {
		return "", nil, &domain.Error{Code: domain.EInvalid, Field: "name", Message: "name the token after who will use it, e.g. \"Entra ID\""}
	}
	secret := identity.NewSecret("scim")
	var t *domain.SCIMToken
	err := a.write(ctx, act, func(u *unit) error {
		orgID, err := u.scimTokenOwner(ctx, in.OrgID, in.SiteID)
		if err != nil {
			return err
		}
		t = &domain.SCIMToken{ID: domain.NewID("sct", u.now), OrgID: orgID, SiteID: in.SiteID, Name: name,
			CreatedBy: act.userID(), CreatedAt: u.now}
		if err := u.tx.CreateSCIMToken(ctx, t, identity.HashSecret(secret)); err != nil {
			return err
		}
		return u.record(ctx, "scim_token.create", "scim_token", t.ID, orgID, nil, t)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// scimTokenOwner checks that the actor manages the tokens of the
// organisation or site, and returns the organisation they belong to.
func (u *unit) scimTokenOwner(ctx context.Context, orgID, siteID string) (string, error) {
	if siteID != "" {
		v, err := u.siteView(ctx, siteID)
		if err != nil {
			return "", err
		}
		if !v.Can.ManageAppTokens {
			return "", forbidden("R-APP-1", "only the customer's administrators and operators manage a site's application tokens")
		}
		if v.Site.State == domain.SiteDeleted {
			return "", domain.NotFound("site")
		}
		return v.Customer.ID, nil
	}
	if orgID == "" {
		return "", &domain.Error{Code: domain.EInvalid, Field: "org_id", Message: "say which organisation or site the token is for"}
	}
	o, err := u.loadOrg(ctx, orgID)
	if err != nil {
		return "", err
	}
	if !u.act.managesProvisioning(o) {
		return "", forbidden("R-APP-4", "only the organisation's administrators and operators connect its identity provider")
	}
	return o.ID, nil
}

// SCIMTokens lists the tokens of an organisation (siteID "") or of a
// site. Codes: not_found, forbidden.
func (a *App) SCIMTokens(ctx context.Context, act Actor, orgID, siteID string) (out []*domain.SCIMToken, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		owner, err := u.scimTokenOwner(ctx, orgID, siteID)
		if err != nil {
			return err
		}
		out, err = u.tx.SCIMTokens(ctx, owner, siteID)
		return err
	})
	return out, err
}

// RotateSCIMToken gives a token a new secret, shown this once; the old
// one stops working at once. Codes: not_found, forbidden.
func (a *App) RotateSCIMToken(ctx context.Context, act Actor, id string) (string, *domain.SCIMToken, error) {
	secret := identity.NewSecret("scim")
	t, err := a.changeSCIMToken(ctx, act, id, "scim_token.rotate", func(u *unit, t *domain.SCIMToken) error {
		return u.tx.RotateSCIMToken(ctx, t.ID, identity.HashSecret(secret))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// RevokeSCIMToken ends a token. Codes: not_found, forbidden.
func (a *App) RevokeSCIMToken(ctx context.Context, act Actor, id string) (*domain.SCIMToken, error) {
	return a.changeSCIMToken(ctx, act, id, "scim_token.revoke", func(u *unit, t *domain.SCIMToken) error {
		t.RevokedAt = u.now
		return u.tx.RevokeSCIMToken(ctx, t.ID, u.now)
	})
}

func (a *App) changeSCIMToken(ctx context.Context, act Actor, id, action string, change func(*unit, *domain.SCIMToken) error) (*domain.SCIMToken, error) {
	var t *domain.SCIMToken
	err := a.write(ctx, act, func(u *unit) error {
		var err error
		if t, err = u.scimToken(ctx, id); err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return domain.RuleError(domain.ERule, "R-APP-4", "the token %s was revoked; create a new one", t.Name)
		}
		if err := change(u, t); err != nil {
			return storeErr(err, "SCIM token", id)
		}
		return u.record(ctx, action, "scim_token", t.ID, t.OrgID, nil, t)
	})
	return t, err
}

// scimToken loads a token whose organisation or site the actor manages;
// any other answers not found.
func (u *unit) scimToken(ctx context.Context, id string) (*domain.SCIMToken, error) {
	orgID := u.act.orgID()
	if u.act.User == nil || u.act.IsOperator() {
		orgID = ""
	}
	t, err := u.tx.SCIMTokenAnyOrg(ctx, id, orgID)
	if err != nil {
		return nil, storeErr(err, "SCIM token", id)
	}
	if _, err := u.scimTokenOwner(ctx, t.OrgID, t.SiteID); err != nil {
		return nil, hideAs(err, "SCIM token", id)
	}
	return t, nil
}

// recordRead puts a SCIM read in the activity log with the token as the
// actor, so that every SCIM call is on record: what was asked and how
// many answered.
func (a *App) recordRead(ctx context.Context, c SCIMClient, objType, objID string, detail map[string]any) error {
	return a.writeEnrolling(ctx, c.act, func(u *unit) error {
		orgID := c.org.ID
		if c.site != nil {
			detail["site_id"] = c.site.ID
		}
		return u.record(ctx, "scim.read", objType, objID, orgID, nil, detail)
	})
}

// listDetail is what the activity log keeps of a SCIM list.
func listDetail(resource string, q domain.SCIMQuery, total int) map[string]any {
	d := map[string]any{"resource": resource, "startIndex": q.StartIndex, "count": q.Count, "totalResults": total}
	if q.Filter != nil {
		d["filter"] = fmt.Sprint(q.Filter)
	}
	return d
}
