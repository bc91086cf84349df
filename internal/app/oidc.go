package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// oidcStateTTL bounds how long a person may take at the identity provider.
const oidcStateTTL = 10 * time.Minute

var (
	// errOIDCRefused is the one answer to every refused external sign-in,
	// so that it tells nothing about which accounts exist; the activity
	// log records the reason.
	errOIDCRefused = &domain.Error{Code: domain.EUnauthorized,
		Message: "this account cannot sign in here through the identity provider; ask your administrator"}
	errOIDCState = &domain.Error{Code: domain.EUnauthorized,
		Message: "this sign-in is unknown, already finished or took too long; start again"}
	errNoOIDC = &domain.Error{Code: domain.ENotFound,
		Message: "sign-in through an identity provider is not set up for this organisation"}
)

// configuresSignInOf reports whether the actor may set up the external
// sign-in of organisation orgID: its own administrators, and operators.
func (act Actor) configuresSignInOf(orgID string) bool {
	return act.User == nil || act.IsOperator() || act.Org != nil && act.Org.ID == orgID && act.User.IsAdmin()
}

// SetOIDCProvider sets up (or replaces) the organisation's OpenID Connect
// identity provider. An empty client secret keeps the one stored, if any.
// The secret is never returned nor recorded. The organisation's
// administrators and operators may. Codes: not_found, forbidden, invalid.
func (a *App) SetOIDCProvider(ctx context.Context, act Actor, orgID string, cfg domain.OIDCProvider) (*domain.OIDCProvider, error) {
	cfg, err := domain.CheckOIDCProvider(cfg)
	if err != nil {
		return nil, err
	}
	var out domain.OIDCProvider
	err = a.write(ctx, act, func(u *unit) error {
		o, err := u.loadOrg(ctx, orgID)
		if err != nil {
			return err
		}
		if !act.configuresSignInOf(o.ID) {
			return forbidden("", "only the organisation's administrators set up its sign-in")
		}
		var before any // the activity log never sees the secret: its field is not marshalled
		old, err := u.tx.OIDCProvider(ctx, o.ID)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			cfg.CreatedAt = u.now
		case err != nil:
			return err
		default:
			before, cfg.CreatedAt = old, old.CreatedAt
			if cfg.ClientSecret == "" {
				cfg.ClientSecret = old.ClientSecret
			}
		}
		cfg.OrgID, cfg.SecretSet = o.ID, cfg.ClientSecret != ""
		if err := u.claimSSODomains(ctx, o.ID, cfg.AllowedDomains); err != nil {
			return err
		}
		if err := u.tx.SetOIDCProvider(ctx, &cfg); err != nil {
			return err
		}
		out = cfg
		return u.record(ctx, "oidc_provider.set", "oidc_provider", o.ID, o.ID, before, cfg)
	})
	if err != nil {
		return nil, err
	}
	out.ClientSecret = ""
	return &out, nil
}

// OIDCProvider returns the organisation's identity provider, without its
// secret. The organisation's administrators and operators may. Codes:
// not_found, forbidden.
func (a *App) OIDCProvider(ctx context.Context, act Actor, orgID string) (*domain.OIDCProvider, error) {
	var p *domain.OIDCProvider
	err := a.read(ctx, act, func(u *unit) error {
		o, err := u.loadOrg(ctx, orgID)
		if err != nil {
			return err
		}
		if !act.configuresSignInOf(o.ID) {
			return forbidden("", "only the organisation's administrators see its sign-in set-up")
		}
		if p, err = u.tx.OIDCProvider(ctx, o.ID); errors.Is(err, domain.ErrNotFound) {
			return errNoOIDC
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	p.ClientSecret = ""
	return p, nil
}

// StartOIDC begins a sign-in at the organisation's identity provider: it
// stores a fresh single-use state with its nonce and PKCE verifier, and
// returns them with the provider's settings (secret included, for the
// code exchange). Codes: not_found.
func (a *App) StartOIDC(ctx context.Context, orgID string) (state, nonce, verifier string, cfg *domain.OIDCProvider, err error) {
	s := &domain.OIDCState{State: identity.NewSecret("ost"), OrgID: orgID, Nonce: identity.NewSecret("onc"),
		Verifier: oauth2.GenerateVerifier()}
	err = a.db.Write(ctx, func(tx Tx) error {
		if cfg, err = tx.OIDCProvider(ctx, orgID); errors.Is(err, domain.ErrNotFound) {
			return errNoOIDC
		} else if err != nil {
			return err
		}
		now := a.now()
		s.ExpiresAt = now.Add(oidcStateTTL)
		return tx.CreateOIDCState(ctx, s, now)
	})
	if err != nil {
		return "", "", "", nil, err
	}
	return s.State, s.Nonce, s.Verifier, cfg, nil
}

// FinishOIDC consumes a started sign-in's state, once and before it
// expires, and returns what the callback needs to check the provider's
// answer. Codes: unauthorized.
func (a *App) FinishOIDC(ctx context.Context, state string) (orgID, nonce, verifier string, cfg *domain.OIDCProvider, err error) {
	var s *domain.OIDCState
	err = a.db.Write(ctx, func(tx Tx) error {
		if state == "" {
			return errOIDCState
		}
		if s, err = tx.UseOIDCState(ctx, state, a.now()); errors.Is(err, domain.ErrNotFound) {
			return errOIDCState
		} else if err != nil {
			return err
		}
		if cfg, err = tx.OIDCProvider(ctx, s.OrgID); errors.Is(err, domain.ErrNotFound) {
			return errOIDCState // the provider was removed meanwhile
		}
		return err
	})
	if err != nil {
		return "", "", "", nil, err
	}
	return s.OrgID, s.Nonce, s.Verifier, cfg, nil
}

// OIDCSignIn signs in the person the organisation's identity provider
// vouched for. The email must be verified there, be at one of the
// provider's allowed domains, and belong to a live user of that very
// organisation; an invited user becomes active here, which is its
// registration (R-USER-4). Locked and deleted users are refused. Every
// refusal answers alike and records its reason in the activity log.
// Codes: unauthorized.
func (a *App) OIDCSignIn(ctx context.Context, orgID, email string, emailVerified bool, remoteAddr, userAgent string) (*SessionResult, error) {
	email = domain.NormalizeEmail(email)
	var usr *domain.User
	var org *domain.Org
	var why string
	err := a.write(ctx, Actor{RemoteAddr: remoteAddr}, func(u *unit) (err error) {
		usr, org, why, err = u.oidcUser(ctx, orgID, email, emailVerified)
		if err != nil {
			return err
		}
		if why != "" {
			orgOf, objID := orgID, ""
			if usr != nil {
				orgOf, objID = usr.OrgID, usr.ID
			}
			return u.record(ctx, "signin.failure", "user", objID, orgOf, nil,
				map[string]any{"email": email, "reason": why, "via": "oidc", "user_agent": userAgent})
		}
		u.act.User, u.act.Org = usr, org
		if usr.State == domain.UserInvited {
			before := *usr
			usr.State, usr.InviteExpiresAt, usr.UpdatedAt = domain.UserActive, time.Time{}, u.now
			if err := u.tx.UpdateUser(ctx, usr); err != nil {
				return err
			}
			if err := u.tx.CloseInvitations(ctx, usr.ID, u.now); err != nil {
				return err
			}
			after := struct {
				*domain.User
				Via string `json:"via"`
			}{usr, "oidc"}
			if err := u.record(ctx, "user.register", "user", usr.ID, usr.OrgID, before, after); err != nil {
				return err
			}
		}
		return u.record(ctx, "signin.success", "user", usr.ID, usr.OrgID, nil,
			map[string]string{"via": "oidc", "user_agent": userAgent})
	})
	if err != nil {
		return nil, err
	}
	if why != "" {
		return nil, errOIDCRefused
	}
	// The identity provider is trusted for the second factor too (R-PLUS-3):
	// the organisation chose it, and it enforces its own multi-factor
	// policy, which Provisio cannot see. So the session counts as MFA-done.
	return a.startSession(ctx, usr, org, "oidc", true, Credentials{Email: email, RemoteAddr: remoteAddr, UserAgent: userAgent})
}

// oidcUser finds the user an external sign-in is for. A non-empty why is
// the reason for refusing it, for the activity log only; usr is set when
// the account exists.
func (u *unit) oidcUser(ctx context.Context, orgID, email string, verified bool) (usr *domain.User, org *domain.Org, why string, err error) {
	p, err := u.tx.OIDCProvider(ctx, orgID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil, "organisation has no identity provider", nil
	} else if err != nil {
		return nil, nil, "", err
	}
	switch {
	case email == "":
		return nil, nil, "provider gave no email", nil
	case !verified:
		return nil, nil, "email not verified at the provider", nil
	case !p.AllowsEmail(email):
		return nil, nil, "email domain not allowed for this provider", nil
	}
	if d, err := u.tx.SSODomain(ctx, orgID, email[strings.LastIndexByte(email, '@')+1:]); errors.Is(err, domain.ErrNotFound) ||
		err == nil && !d.Verified() {
		return nil, nil, "email domain not proven for this organisation", nil
	} else if err != nil {
		return nil, nil, "", err
	}
	if usr, err = u.tx.UserByEmail(ctx, email); errors.Is(err, domain.ErrNotFound) {
		return nil, nil, "unknown account", nil
	} else if err != nil {
		return nil, nil, "", err
	}
	if usr.OrgID != orgID {
		// Another tenant's user: record it under this organisation only,
		// never linking the two.
		return nil, nil, "account belongs to another organisation", nil
	}
	switch usr.State {
	case domain.UserActive:
	case domain.UserInvited:
		if !usr.InviteExpiresAt.IsZero() && !u.now.Before(usr.InviteExpiresAt) {
			return usr, nil, "invitation expired", nil
		}
	default:
		return usr, nil, "account " + string(usr.State), nil
	}
	if org, err = u.tx.Org(ctx, domain.Everything, usr.OrgID); err != nil {
		return nil, nil, "", err
	}
	return usr, org, "", nil
}

// SingleSignOn finds the organisation whose identity provider signs in
// people at the email's domain. It answers by domain, never by account, so
// it tells nothing about who has an account. Codes: not_found.
func (a *App) SingleSignOn(ctx context.Context, email string) (orgID string, err error) {
	email = domain.NormalizeEmail(email)
	at := strings.LastIndexByte(email, '@')
	err = a.read(ctx, System, func(u *unit) error {
		if at < 0 {
			return domain.ErrNotFound
		}
		orgID, err = u.tx.OIDCOrgForDomain(ctx, email[at+1:])
		return err
	})
	if errors.Is(err, domain.ErrNotFound) {
		return "", domain.RuleError(domain.ENotFound, "R-PLUS-3", "no organisation signs in with single sign-on for this address; use your password")
	}
	return orgID, err
}
