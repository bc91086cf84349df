// Package oidcop is Provisio's OpenID provider for the sites' applications
// (R-APP-2), built on github.com/zitadel/oidc/v3's op package: discovery,
// JWKS, the authorization code flow with PKCE, refresh tokens with
// rotation, userinfo, revocation (RFC 7009), introspection (RFC 7662) and
// RP-initiated logout. It speaks the protocol; internal/app decides who
// may sign in (the access decision) and keeps everything in the database,
// so every replica answers alike.
package oidcop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// The provider's endpoints, under one prefix so they stay apart from the
// portal's pages; discovery is at the issuer's well-known path.
const (
	Prefix        = "/oidc/"
	Discovery     = "/.well-known/openid-configuration"
	LoginPath     = "/oidc/login"
	authorizePath = "/oidc/authorize"
)

// Pages is what the provider needs of the web UI: who is signed in to the
// portal (and in which session), and a page that says why something was
// refused.
type Pages interface {
	SessionActor(r *http.Request) (act app.Actor, sessionID string, ok bool)
	Refuse(w http.ResponseWriter, r *http.Request, status int, msg string)
	RefuseBack(w http.ResponseWriter, r *http.Request, status int, msg, backText, back string)
	Fail(w http.ResponseWriter, r *http.Request, err error)
}

// Provider serves the provider's endpoints and its login step.
type Provider struct {
	app    *app.App
	pages  Pages
	issuer string
	op     *op.Provider
	log    *slog.Logger
}

// New returns the provider for the portal at issuer (its base URL).
// insecure allows an http issuer (development and tests on loopback).
func New(ctx context.Context, a *app.App, pages Pages, issuer string, insecure bool, log *slog.Logger) (*Provider, error) {
	issuer = strings.TrimRight(issuer, "/")
	key, err := a.OPCryptoKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("openid provider: %w", err)
	}
	cfg := &op.Config{CryptoKey: key, CodeMethodS256: true, AuthMethodPost: true, GrantTypeRefreshToken: true,
		DefaultLogoutRedirectURI: "/signin"}
	opts := []op.Option{op.WithCustomEndpoints(op.NewEndpoint(authorizePath), op.NewEndpoint("/oidc/token"),
		op.NewEndpoint("/oidc/userinfo"), op.NewEndpoint("/oidc/revoke"), op.NewEndpoint("/oidc/end_session"),
		op.NewEndpoint("/oidc/keys")), op.WithCustomIntrospectionEndpoint(op.NewEndpoint("/oidc/introspect")),
		op.WithLogger(log)}
	if insecure {
		opts = append(opts, op.WithAllowInsecure())
	}
	p := &Provider{app: a, pages: pages, issuer: issuer, log: log}
	if p.op, err = op.NewProvider(cfg, &storage{app: a, issuer: issuer}, op.StaticIssuer(issuer), opts...); err != nil {
		return nil, fmt.Errorf("openid provider at %s: %w", issuer, err)
	}
	return p, nil
}

// ServeHTTP answers the protocol's endpoints.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case LoginPath:
		p.login(w, r)
		return
	case authorizePath + "/callback":
		// The code goes only to the browser whose portal session signed
		// in: nobody else who learns the sign-in's id can fetch it.
		_, sid, _ := p.pages.SessionActor(r) // no session: sid "" matches no sign-in
		if err := p.app.OPCheckCallback(r.Context(), r.URL.Query().Get("id"), sid); err != nil {
			p.pages.Fail(w, r, err)
			return
		}
	}
	p.op.ServeHTTP(w, r)
}

// login is where the provider sends the browser to sign in: the portal's
// own sign-in (password, MFA where required, or the organisation's
// provider), then the access decision, then back to the application.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	act, sid, ok := p.pages.SessionActor(r)
	if !ok {
		// prompt=none: no page may be shown; the application hears at
		// once that the person must sign in (OpenID Connect Core 3.1.2.6).
		if req, err := p.app.OPSignIn(r.Context(), id); err == nil && req.Prompt == "none" {
			http.Redirect(w, r, backWithError(req, "login_required"), http.StatusFound)
			return
		}
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(LoginPath+"?id="+url.QueryEscape(id)), http.StatusSeeOther)
		return
	}
	if act.MFAPending() { // the second factor first (R-PLUS-3), then back here
		http.Redirect(w, r, "/account?mfa=required&next="+url.QueryEscape(LoginPath+"?id="+url.QueryEscape(id)), http.StatusSeeOther)
		return
	}
	if _, err := p.app.OPCompleteSignIn(r.Context(), act, sid, id); errors.Is(err, app.ErrSignInAgain) {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(LoginPath+"?id="+url.QueryEscape(id)), http.StatusSeeOther)
		return
	} else if errors.Is(err, app.ErrSignInRefused) {
		// The person reads why; the application hears access_denied when
		// the person goes back to it.
		var de *domain.Error
		errors.As(err, &de)
		back := ""
		if req, rerr := p.app.OPSignIn(r.Context(), id); rerr == nil {
			back = backWithError(req, "access_denied")
		}
		p.pages.RefuseBack(w, r, http.StatusForbidden, de.Message+" ("+de.Rule+")", "Back to the application", back)
		return
	} else if err != nil {
		p.pages.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, p.issuer+authorizePath+"/callback?id="+url.QueryEscape(id), http.StatusSeeOther)
}

// backWithError is the application's redirect URI with an OAuth error.
func backWithError(req *domain.OIDCAuthRequest, code string) string {
	q := url.Values{"error": {code}}
	if req.State != "" {
		q.Set("state", req.State)
	}
	sep := "?"
	if strings.Contains(req.RedirectURI, "?") {
		sep = "&"
	}
	return req.RedirectURI + sep + q.Encode()
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
	_ op.Client                    = client{}
	_ op.AuthRequest               = authRequest{}
	_ op.RefreshTokenRequest       = (*refreshRequest)(nil)
)
