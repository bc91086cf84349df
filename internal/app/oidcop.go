package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// The back of Provisio's OpenID provider for the sites' applications
// (R-APP-2). The protocol is spoken by internal/oidcop; what is decided
// is decided here: which application, which person, and whether the
// access decision lets that person into the site (and company) now, at
// sign-in, at every token and at every refresh.

// signInTTL is how long a started sign-in, and its code, stay usable.
const signInTTL = 10 * time.Minute

// ErrSignInAgain says the application wants a fresh sign-in (prompt=login,
// or max_age passed): the login step sends the person to sign in again.
var ErrSignInAgain = errors.New("sign in again")

// ErrSignInRefused wraps the plain-words reason a sign-in was refused.
var ErrSignInRefused = errors.New("sign-in refused")

// OPClient returns a live application, or not_found.
func (a *App) OPClient(ctx context.Context, id string) (c *domain.AppClient, err error) {
	err = a.db.Read(ctx, func(tx Tx) error {
		c, err = tx.AppClient(ctx, id)
		return storeErr(err, "application", id)
	})
	return c, err
}

// OPCheckClientSecret checks a confidential application's secret. Codes:
// unauthorized.
func (a *App) OPCheckClientSecret(ctx context.Context, id, secret string) error {
	var hash string
	err := a.db.Read(ctx, func(tx Tx) (err error) {
		hash, err = tx.AppClientSecretHash(ctx, id)
		return err
	})
	if err != nil || hash == "" || subtle.ConstantTimeCompare([]byte(identity.HashSecret(secret)), []byte(hash)) != 1 {
		return &domain.Error{Code: domain.EUnauthorized, Message: "unknown application or wrong secret"}
	}
	return nil
}

// OPStartSignIn records a sign-in an application started; the op package
// has checked the client and its redirect URI.
func (a *App) OPStartSignIn(ctx context.Context, r domain.OIDCAuthRequest) (*domain.OIDCAuthRequest, error) {
	err := a.db.Write(ctx, func(tx Tx) error {
		c, err := tx.AppClient(ctx, r.ClientID)
		if err != nil {
			return storeErr(err, "application", r.ClientID)
		}
		now := a.now()
		r.ID, r.SiteID, r.CreatedAt, r.ExpiresAt = domain.NewID("sgn", now), c.SiteID, now, now.Add(signInTTL)
		return tx.CreateAuthRequest(ctx, &r)
	})
	return &r, err
}

// OPSignIn returns a sign-in in progress. Codes: not_found.
func (a *App) OPSignIn(ctx context.Context, id string) (r *domain.OIDCAuthRequest, err error) {
	err = a.db.Read(ctx, func(tx Tx) error {
		r, err = tx.AuthRequest(ctx, id, a.now())
		return storeErr(err, "sign-in", id)
	})
	return r, err
}

// OPSignInByCode returns the sign-in a code was issued for. Codes:
// not_found.
func (a *App) OPSignInByCode(ctx context.Context, code string) (r *domain.OIDCAuthRequest, err error) {
	err = a.db.Read(ctx, func(tx Tx) error {
		r, err = tx.AuthRequestByCode(ctx, identity.HashSecret(code), a.now())
		return storeErr(err, "code", "")
	})
	return r, err
}

// OPSaveCode records the code issued for a finished sign-in (its hash).
func (a *App) OPSaveCode(ctx context.Context, id, code string) error {
	return a.db.Write(ctx, func(tx Tx) error { return tx.SetAuthCode(ctx, id, identity.HashSecret(code)) })
}

// OPEndSignIn forgets a sign-in (its code was used, or it failed).
func (a *App) OPEndSignIn(ctx context.Context, id string) error {
	return a.db.Write(ctx, func(tx Tx) error { return tx.DeleteAuthRequest(ctx, id, a.now()) })
}

// OPCompleteSignIn finishes a sign-in as the person signed in to the
// portal in session sessionID: only when the access decision lets them
// into the site (and the company asked for) now, and only once. A refusal
// says why in plain words and is recorded in the activity log, as is a
// sign-in. Codes: not_found, forbidden (refused, wrapping
// ErrSignInRefused).
func (a *App) OPCompleteSignIn(ctx context.Context, act Actor, sessionID, id string) (*domain.OIDCAuthRequest, error) {
	var r *domain.OIDCAuthRequest
	var refused error
	err := a.write(ctx, act, func(u *unit) error {
		var err error
		if r, err = u.tx.AuthRequest(ctx, id, u.now); err != nil {
			return storeErrRule(err, "R-APP-2", signInGone)
		}
		if act.User == nil {
			return forbidden("R-APP-2", "sign in to the portal first")
		}
		c, err := u.tx.AppClient(ctx, r.ClientID)
		if err != nil {
			return storeErrRule(err, "R-APP-2", signInGone)
		}
		// prompt=login and max_age: a sign-in older than the application
		// allows, and older than this request, must be made again; the
		// ID token's auth_time is when the person signed in.
		signedIn, err := u.tx.SessionSignedIn(ctx, sessionID)
		if err != nil {
			return storeErrRule(err, "R-APP-2", signInGone)
		}
		stale := strings.Contains(" "+r.Prompt+" ", " login ") || (r.MaxAge >= 0 && u.now.Sub(signedIn) > time.Duration(r.MaxAge)*time.Second)
		if stale && signedIn.Before(r.CreatedAt) {
			return ErrSignInAgain
		}
		if refused = u.appAccess(ctx, act.User.ID, r.SiteID, r.Company); refused != nil {
			return u.record(ctx, "oidc.sign_in_refused", "app_client", c.ID, u.siteOrg(ctx, r.SiteID), nil,
				map[string]string{"user_id": act.User.ID, "site_id": r.SiteID, "company_id": r.Company, "reason": refused.Error()})
		}
		if err := u.tx.CompleteAuthRequest(ctx, r.ID, act.User.ID, identity.HashSecret(sessionID), signedIn); err != nil {
			return storeErrRule(err, "R-APP-2", signInGone)
		}
		r.UserID, r.AuthTime = act.User.ID, signedIn
		return u.record(ctx, "oidc.sign_in", "app_client", c.ID, u.siteOrg(ctx, r.SiteID), nil,
			map[string]string{"user_id": act.User.ID, "site_id": r.SiteID, "company_id": r.Company})
	})
	if err == nil && refused != nil {
		err = refused
	}
	return r, err
}

// signInGone is what a person reads about a sign-in that expired or was
// used already.
const signInGone = "this sign-in has expired or was finished already; go back to the application and start again"

// OPCheckCallback lets the code of a sign-in go only to the browser whose
// portal session completed it. Codes: not_found.
func (a *App) OPCheckCallback(ctx context.Context, id, sessionID string) error {
	var h string
	err := a.db.Read(ctx, func(tx Tx) (err error) {
		h, err = tx.AuthRequestSession(ctx, id)
		return err
	})
	if err != nil || h == "" || subtle.ConstantTimeCompare([]byte(h), []byte(identity.HashSecret(sessionID))) != 1 {
		return domain.RuleError(domain.ENotFound, "R-APP-2", "%s", signInGone)
	}
	return nil
}

// appAccess runs the access decision for a person on a site (and
// company) now, and says a refusal in plain words (R-APP-2).
func (u *unit) appAccess(ctx context.Context, userID, siteID, companyID string) error {
	f, err := u.tx.AccessFacts(ctx, siteID, userID, companyID)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("access facts of %s on %s: %w", userID, siteID, err)
	}
	if f == nil {
		f = &domain.AccessFacts{}
	}
	d := domain.DecideAccess(*f, siteID, companyID, u.now)
	if d.Allowed {
		return nil
	}
	site, cust := siteID, "the customer"
	if s, err := u.tx.Site(ctx, domain.Everything, siteID); err == nil {
		site = s.Name
		if o, err := u.tx.Org(ctx, domain.Everything, s.CustomerID); err == nil {
			cust = o.Name
		}
	}
	var msg string
	switch {
	case !f.Assigned:
		msg = fmt.Sprintf("You are not assigned to %s; ask %s's administrators to add you.", site, cust)
	case f.UserState != domain.UserActive:
		msg = fmt.Sprintf("Your account is %s, so it cannot sign in to %s; ask your administrators.", f.UserState, site)
	case f.SiteState != domain.SiteReady:
		msg = fmt.Sprintf("%s is %s just now; nobody can sign in to it.", site, f.SiteState)
	case domain.GrantExpired(f.ExpiresAt, u.now):
		msg = fmt.Sprintf("Your partner access to %s ended at %s UTC; ask %s's administrators to approve a new request.",
			site, f.ExpiresAt.UTC().Format("2 Jan 2006 15:04"), cust)
	default:
		company := companyID
		if c, err := u.tx.Company(ctx, domain.Everything, companyID); err == nil {
			company = c.Name
		}
		msg = fmt.Sprintf("You are not assigned to the company %s on %s; ask its operations agents.", company, site)
	}
	return (&domain.Error{Code: domain.EForbidden, Rule: "R-APP-2", Message: msg}).WithCause(ErrSignInRefused)
}

// OPGrant is what tokens are issued for: a person on a site (and company)
// through an application.
type OPGrant struct {
	ClientID, UserID, SiteID, Company string
	Scopes                            []string
	AuthTime                          time.Time
	// SignInID is the sign-in whose code is exchanged (code grants); it
	// names the family of the tokens that descend from it.
	SignInID string
	// RefreshScopes, on a refresh, are the refresh token's own scopes: a
	// refresh asking for fewer narrows the access token only.
	RefreshScopes []string
}

// OPIssueTokens issues an access token, and with refresh a refresh token.
// For a code, the sign-in is used up: of two exchanges only one wins, and
// the loser revokes what the winner got (RFC 6749 section 4.1.2). For a
// refresh, current (the token presented) is replaced (rotation); a
// refresh token presented again after its use revokes its whole family
// (RFC 9700). The access decision runs again first, so a revoked, expired
// or locked user gets nothing. Codes: forbidden (refused), not_found.
func (a *App) OPIssueTokens(ctx context.Context, g OPGrant, refresh bool, current string) (accessID, refreshSecret string, exp time.Time, err error) {
	var reused string // the family to revoke, when a code or refresh token came back
	err = a.write(ctx, System, func(u *unit) error {
		// op has checked the application in this request; a removed
		// application's refresh tokens are revoked with it.
		tx := u.tx
		family := g.SignInID
		switch {
		case g.SignInID != "":
			if err := tx.UseAuthCode(ctx, g.SignInID); err != nil {
				reused = g.SignInID
				return domain.NotFound("code")
			}
		case current != "":
			var err error
			if family, err = tx.UseRefreshToken(ctx, identity.HashSecret(current), g.ClientID, u.now); err != nil {
				if t, err := tx.RefreshTokenByHash(ctx, identity.HashSecret(current)); err == nil && t.ClientID == g.ClientID {
					reused = t.Family
				}
				return domain.NotFound("refresh token") // unknown, expired, or used already
			}
		default:
			return domain.NotFound("grant")
		}
		if err := u.appAccess(ctx, g.UserID, g.SiteID, g.Company); err != nil {
			return err
		}
		base := domain.OIDCToken{ClientID: g.ClientID, UserID: g.UserID, SiteID: g.SiteID, Company: g.Company,
			Family: family, Scopes: g.Scopes, AuthTime: g.AuthTime, CreatedAt: u.now}
		at := base
		at.ID, at.ExpiresAt = domain.NewID("tok", u.now), u.now.Add(a.cfg.AppAccessTTL)
		accessID, exp = at.ID, at.ExpiresAt
		if !refresh {
			return tx.CreateOIDCTokens(ctx, &at, nil, "")
		}
		rt := base
		rt.ID, rt.Refresh, rt.ExpiresAt = domain.NewID("rtk", u.now), true, u.now.Add(a.cfg.AppRefreshTTL)
		if g.RefreshScopes != nil {
			rt.Scopes = g.RefreshScopes
		}
		refreshSecret = identity.NewSecret("rt")
		return tx.CreateOIDCTokens(ctx, &at, &rt, identity.HashSecret(refreshSecret))
	})
	if reused != "" {
		a.revokeFamily(ctx, reused)
	}
	return accessID, refreshSecret, exp, err
}

// OPRefreshGrant returns what a live refresh token was issued for. Codes:
// not_found.
func (a *App) OPRefreshGrant(ctx context.Context, secret string) (*domain.OIDCToken, error) {
	var t *domain.OIDCToken
	err := a.db.Read(ctx, func(tx Tx) (err error) {
		t, err = tx.RefreshTokenByHash(ctx, identity.HashSecret(secret))
		return err
	})
	if err != nil || !a.now().Before(t.ExpiresAt) {
		return nil, domain.NotFound("refresh token")
	}
	if !t.RevokedAt.IsZero() {
		// Used already, and presented again: someone holds a copy. The
		// whole chain ends (RFC 9700 section 4.14).
		a.revokeFamily(ctx, t.Family)
		return nil, domain.NotFound("refresh token")
	}
	return t, nil
}

// revokeFamily ends every token descending from one sign-in, after a code
// or refresh token came back a second time.
func (a *App) revokeFamily(ctx context.Context, family string) {
	if err := a.db.Write(ctx, func(tx Tx) error { return tx.RevokeFamily(ctx, family, a.now()) }); err != nil {
		a.log.Error("revoke a token family after reuse", "family", family, "err", err)
		return
	}
	a.log.Warn("a code or refresh token was used twice: its tokens are revoked", "family", family)
}

// OPActiveToken returns a token that works now: issued, not revoked, not
// expired, its application still registered, and the access decision
// still saying yes. Codes: not_found (inactive).
func (a *App) OPActiveToken(ctx context.Context, id string) (*domain.OIDCToken, error) {
	var t *domain.OIDCToken
	err := a.read(ctx, System, func(u *unit) error {
		tx := u.tx
		var err error
		if t, err = tx.OIDCToken(ctx, id); err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() || !u.now.Before(t.ExpiresAt) {
			return domain.ErrNotFound
		}
		if _, err := tx.AppClient(ctx, t.ClientID); err != nil {
			return err
		}
		return u.appAccess(ctx, t.UserID, t.SiteID, t.Company)
	})
	if err != nil {
		return nil, domain.NotFound("token").WithCause(err)
	}
	return t, nil
}

// OPRevoke revokes a token of the application (an access token by id, a
// refresh token by its secret, with every token of its family: RFC 7009
// section 2.1); unknown tokens are ignored.
func (a *App) OPRevoke(ctx context.Context, tokenOrID, clientID string) error {
	return a.db.Write(ctx, func(tx Tx) error {
		t, err := tx.OIDCToken(ctx, tokenOrID)
		if errors.Is(err, domain.ErrNotFound) {
			t, err = tx.RefreshTokenByHash(ctx, identity.HashSecret(tokenOrID))
		}
		if errors.Is(err, domain.ErrNotFound) || (err == nil && t.ClientID != clientID) {
			return nil
		}
		if err != nil {
			return err
		}
		if t.Refresh {
			return tx.RevokeFamily(ctx, t.Family, a.now())
		}
		if err := tx.RevokeOIDCToken(ctx, t.ID, a.now()); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		return nil
	})
}

// OPEndSession ends a person's tokens for an application (RP-initiated
// logout).
func (a *App) OPEndSession(ctx context.Context, userID, clientID string) error {
	return a.db.Write(ctx, func(tx Tx) error { return tx.RevokeUserClientTokens(ctx, userID, clientID, a.now()) })
}

// OPClaims is what a token says of the person and their access.
type OPClaims struct {
	User      *domain.User
	Site      *domain.Site
	Role      domain.Role
	Via       domain.AccessVia
	ExpiresAt time.Time
	Companies []*domain.Company // those the person reaches on the site
}

// OPClaimsFor reads the claims of a person on a site.
func (a *App) OPClaimsFor(ctx context.Context, userID, siteID string) (*OPClaims, error) {
	var c OPClaims
	err := a.db.Read(ctx, func(tx Tx) error {
		u, s, as, cos, err := tx.AppClaims(ctx, userID, siteID)
		if err != nil {
			return err
		}
		c = OPClaims{User: u, Site: s, Role: as.Role, Via: as.Via, ExpiresAt: as.ExpiresAt, Companies: cos}
		return nil
	})
	if err != nil {
		return nil, storeErr(err, "user", userID)
	}
	return &c, nil
}

// OPKey is a signing key of the provider.
type OPKey struct {
	ID        string
	Key       *rsa.PrivateKey
	CreatedAt time.Time
}

// keyCacheTTL is how long a replica keeps the list of keys it read; a new
// key signs only once it is older than that, so that every replica
// publishes it before any token it signed reaches a client.
const keyCacheTTL = 10 * time.Second

// opKeys is the replica's copy of the signing keys.
type opKeys struct {
	mu     sync.Mutex
	read   time.Time
	keys   []OPKey
	parsed map[string]*rsa.PrivateKey
}

// OPSigningKeys returns the keys not yet retired, newest first, for
// publishing. A new key is made when there is none or the newest is older
// than AppKeyRotation; a key is retired once every token it signed has
// expired.
func (a *App) OPSigningKeys(ctx context.Context) ([]OPKey, error) {
	now := a.now()
	a.opKeys.mu.Lock()
	defer a.opKeys.mu.Unlock()
	if a.opKeys.keys != nil && now.Sub(a.opKeys.read) < keyCacheTTL && now.Sub(a.opKeys.keys[0].CreatedAt) < a.cfg.AppKeyRotation {
		return a.opKeys.keys, nil
	}
	var keys []*domain.OIDCKey
	err := a.db.Read(ctx, func(tx Tx) (err error) {
		keys, err = tx.OIDCKeys(ctx, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 || now.Sub(keys[0].CreatedAt) >= a.cfg.AppKeyRotation {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("signing key: %w", err)
		}
		k := &domain.OIDCKey{ID: domain.NewID("key", now), CreatedAt: now,
			// it signs for a rotation period; its tokens live an hour at most
			RetireAt:   now.Add(a.cfg.AppKeyRotation + 2*time.Hour),
			PrivatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}))}
		if err := a.db.Write(ctx, func(tx Tx) error { return tx.CreateOIDCKey(ctx, k) }); err != nil {
			return nil, err
		}
		keys = append([]*domain.OIDCKey{k}, keys...)
	}
	if a.opKeys.parsed == nil {
		a.opKeys.parsed = map[string]*rsa.PrivateKey{}
	}
	out := make([]OPKey, 0, len(keys))
	for _, k := range keys {
		priv := a.opKeys.parsed[k.ID]
		if priv == nil {
			b, _ := pem.Decode([]byte(k.PrivatePEM))
			if b == nil {
				return nil, fmt.Errorf("signing key %s: not PEM", k.ID)
			}
			if priv, err = x509.ParsePKCS1PrivateKey(b.Bytes); err != nil {
				return nil, fmt.Errorf("signing key %s: %w", k.ID, err)
			}
			a.opKeys.parsed[k.ID] = priv
		}
		out = append(out, OPKey{ID: k.ID, Key: priv, CreatedAt: k.CreatedAt})
	}
	a.opKeys.keys, a.opKeys.read = out, now
	return out, nil
}

// OPSigningKey is the key to sign with: the newest that every replica
// publishes by now (older than keyCacheTTL), or the newest when it is the
// only one (a new install).
func (a *App) OPSigningKey(ctx context.Context) (OPKey, error) {
	keys, err := a.OPSigningKeys(ctx)
	if err != nil {
		return OPKey{}, err
	}
	now := a.now()
	for _, k := range keys {
		if now.Sub(k.CreatedAt) >= keyCacheTTL {
			return k, nil
		}
	}
	return keys[0], nil
}

// OPCryptoKey is the key the provider encrypts its opaque tokens with,
// the same on every replica.
func (a *App) OPCryptoKey(ctx context.Context) ([32]byte, error) {
	var key [32]byte
	var fresh [32]byte
	_, _ = rand.Read(fresh[:])
	var stored string
	err := a.db.Write(ctx, func(tx Tx) (err error) {
		stored, err = tx.OIDCCryptoKey(ctx, base64.StdEncoding.EncodeToString(fresh[:]))
		return err
	})
	if err != nil {
		return key, err
	}
	b, err := base64.StdEncoding.DecodeString(stored)
	if err != nil || len(b) != 32 {
		return key, fmt.Errorf("provider crypto key: malformed")
	}
	copy(key[:], b)
	return key, nil
}
