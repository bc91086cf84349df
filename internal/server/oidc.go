package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/web"
)

// Sign-in at an organisation's own identity provider (OpenID Connect,
// authorization code flow with PKCE). The use cases decide who may sign in;
// this file speaks the protocol: discovery, the redirect, the code
// exchange and the ID token's checks.

const (
	oidcCallbackPath = "/auth/oidc/callback"
	// oidcStateCookie binds a started sign-in to the browser that started
	// it, so nobody can finish their own sign-in in someone else's browser
	// (login CSRF).
	oidcStateCookie = "provisio_oidc_state"
	oidcStateMaxAge = 10 * time.Minute // as long as the app keeps a started sign-in
	oidcCacheTTL    = 10 * time.Minute
)

// providerCache keeps discovered providers by issuer for a while, so a
// sign-in does not fetch the discovery document and keys twice.
var providerCache = struct {
	sync.Mutex
	m map[string]cachedProvider
}{m: map[string]cachedProvider{}}

type cachedProvider struct {
	p  *oidc.Provider
	at time.Time
}

func (s *Server) discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	providerCache.Lock()
	c, ok := providerCache.m[issuer]
	providerCache.Unlock()
	if ok && time.Since(c.at) < oidcCacheTTL {
		return c.p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, s.oidcHTTP), issuer)
	if err != nil {
		return nil, err
	}
	providerCache.Lock()
	providerCache.m[issuer] = cachedProvider{p: p, at: time.Now()}
	providerCache.Unlock()
	return p, nil
}

func (s *Server) oauth2Config(p *oidc.Provider, cfg *domain.OIDCProvider) *oauth2.Config {
	return &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: strings.TrimSuffix(s.cfg.App.BaseURL, "/") + oidcCallbackPath,
		Scopes:      []string{oidc.ScopeOpenID, "email"}}
}

const (
	msgUnreachable  = "The identity provider cannot be reached just now. Try again later."
	msgNotConfirmed = "The identity provider did not confirm the sign-in. Start again."
)

// errUnreachable marks failures to talk to the provider at all, as opposed
// to answers it gave that do not check out (a forged or stale code, a
// token for someone else).
var errUnreachable = errors.New("identity provider unreachable")

// startOIDC sends the browser to the organisation's identity provider.
func (s *Server) startOIDC(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier, cfg, err := s.App.StartOIDC(r.Context(), r.PathValue("org"))
	if err != nil {
		s.web.Fail(w, r, err)
		return
	}
	p, err := s.discover(r.Context(), cfg.Issuer)
	if err != nil {
		s.log.Warn("oidc discovery", "issuer", cfg.Issuer, "err", err)
		s.web.Refuse(w, r, http.StatusBadGateway, msgUnreachable)
		return
	}
	http.SetCookie(w, s.stateCookie(state, int(oidcStateMaxAge/time.Second)))
	// Where to go once signed in (a page of the portal, or the OpenID
	// provider's sign-in step for a site's application), kept in this
	// browser for the callback.
	http.SetCookie(w, s.nextCookie(web.SafeNext(r.URL.Query().Get("next")), int(oidcStateMaxAge/time.Second)))
	http.Redirect(w, r, s.oauth2Config(p, cfg).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)),
		http.StatusFound)
}

// oidcCallback finishes a sign-in: it checks the answer against the
// started state, exchanges the code, verifies the ID token and its nonce,
// and signs in the person the provider vouched for.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	http.SetCookie(w, s.stateCookie("", -1))
	if c, err := r.Cookie(oidcStateCookie); err != nil || state == "" || c.Value != state {
		s.web.Refuse(w, r, http.StatusBadRequest, "This sign-in was not started in this browser, "+
			"or it took too long. Start again.")
		return
	}
	orgID, nonce, verifier, cfg, err := s.App.FinishOIDC(r.Context(), state)
	if err != nil {
		s.web.Fail(w, r, err)
		return
	}
	if e := q.Get("error"); e != "" {
		s.log.Info("oidc refused at the provider", "org", orgID, "error", e)
		s.web.Refuse(w, r, http.StatusBadRequest, "The identity provider did not sign you in. Start again.")
		return
	}
	email, verified, err := s.oidcIdentity(r.Context(), cfg, q.Get("code"), verifier, nonce)
	if err != nil {
		s.log.Warn("oidc callback", "org", orgID, "issuer", cfg.Issuer, "err", err)
		if errors.Is(err, errUnreachable) {
			s.web.Refuse(w, r, http.StatusBadGateway, msgUnreachable)
		} else {
			s.web.Refuse(w, r, http.StatusBadRequest, msgNotConfirmed)
		}
		return
	}
	res, err := s.App.OIDCSignIn(r.Context(), orgID, email, verified, remoteHost(r), r.UserAgent())
	if err != nil {
		s.web.Fail(w, r, err)
		return
	}
	http.SetCookie(w, s.sessionCookie(res.Token, int(time.Until(res.Session.ExpiresAt).Seconds())))
	next := "/"
	if c, err := r.Cookie(oidcNextCookie); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil {
			next = web.SafeNext(v)
		}
	}
	http.SetCookie(w, s.nextCookie("", -1))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// oidcIdentity exchanges the code and returns the email the provider
// vouches for. The email comes from the verified ID token or, where the
// provider keeps it out of the token, from its userinfo endpoint for the
// same subject (OpenID Connect Core 5.3.2).
func (s *Server) oidcIdentity(ctx context.Context, cfg *domain.OIDCProvider, code, verifier, nonce string) (email string, verified bool, err error) {
	ctx = context.WithValue(oidc.ClientContext(ctx, s.oidcHTTP), oauth2.HTTPClient, s.oidcHTTP)
	p, err := s.discover(ctx, cfg.Issuer)
	if err != nil {
		return "", false, fmt.Errorf("%w: discovery: %v", errUnreachable, err)
	}
	tok, err := s.oauth2Config(p, cfg).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	var refused *oauth2.RetrieveError
	if errors.As(err, &refused) {
		return "", false, fmt.Errorf("code exchange: %w", err)
	} else if err != nil {
		return "", false, fmt.Errorf("%w: code exchange: %v", errUnreachable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", false, errors.New("the token response has no id_token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return "", false, fmt.Errorf("ID token: %w", err)
	}
	if idt.Nonce != nonce {
		return "", false, errors.New("the ID token's nonce does not match")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return "", false, err
		}
	}
	var claims struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", false, err
	}
	if claims.Email != "" {
		return claims.Email, isTrue(claims.EmailVerified), nil
	}
	info, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return "", false, fmt.Errorf("userinfo: %w", err)
	}
	if info.Subject != idt.Subject {
		return "", false, errors.New("userinfo is for another subject than the ID token")
	}
	return info.Email, info.EmailVerified, nil
}

// isTrue reads a boolean claim; some providers send "true" as a string.
func isTrue(raw json.RawMessage) bool {
	s := string(raw)
	return s == "true" || s == `"true"`
}

func (s *Server) stateCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: oidcStateCookie, Value: value, Path: "/auth/oidc/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(), MaxAge: maxAge}
}

// oidcNextCookie keeps where a sign-in at an identity provider goes on to.
const oidcNextCookie = "provisio_oidc_next"

func (s *Server) nextCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: oidcNextCookie, Value: url.QueryEscape(value), Path: "/auth/oidc/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(), MaxAge: maxAge}
}

func (s *Server) sessionCookie(value string, maxAge int) *http.Cookie {
	return identity.NewSessionCookie(value, maxAge, s.secureCookies())
}

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.cfg.App.BaseURL, "https://") }
