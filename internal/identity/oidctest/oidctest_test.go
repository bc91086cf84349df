package oidctest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/provisio/provisio/internal/identity/oidctest"
)

// The redirect URIs are never served: the browser stops before them.
const (
	redirectURI       = "http://127.0.0.1:1/callback"
	claimsRedirectURI = "http://127.0.0.1:1/claims-callback"
)

func mustStart(t *testing.T) *oidctest.Provider {
	t.Helper()
	return oidctest.Start(t, oidctest.Config{
		Clients: []oidctest.Client{
			{ID: "app", Secret: "app-secret", RedirectURI: redirectURI},
			{ID: "claims", Secret: "claims-secret", RedirectURI: claimsRedirectURI, ClaimsInIDToken: true},
		},
		Users: []oidctest.User{
			{Username: "ivy", Subject: "u1", Email: "ivy@acme.example", EmailVerified: true, Name: "Ivy Invited"},
			{Username: "una", Email: "una@acme.example", Name: "Una Unverified"},
		},
	})
}

// mustDiscover is the client side, as Provisio does it: go-oidc's
// discovery and x/oauth2's code flow.
func mustDiscover(t *testing.T, p *oidctest.Provider, clientID, secret, redirect string) (*oidc.Provider, *oauth2.Config) {
	t.Helper()
	op, err := oidc.NewProvider(context.Background(), p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	return op, &oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: op.Endpoint(), RedirectURL: redirect,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// newBrowser keeps cookies and follows redirects, but stops at the
// client's redirect URIs.
func newBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == "127.0.0.1:1" || len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// mustAuthorize sends the browser to authURL and, at the login form,
// signs username in. It returns the query the provider answered the
// client's redirect URI with.
func mustAuthorize(t *testing.T, p *oidctest.Provider, authURL, username string) url.Values {
	t.Helper()
	b := newBrowser(t)
	resp, err := b.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), p.Issuer+oidctest.LoginPath+"?") {
		t.Fatalf("not at the login form: %d %s", resp.StatusCode, resp.Request.URL)
	}
	resp, err = p.SignIn(b, resp.Request.URL.String(), username)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return mustRedirectQuery(t, resp)
}

func mustRedirectQuery(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	to, err := resp.Location()
	if err != nil || resp.StatusCode != http.StatusFound || to.Host != "127.0.0.1:1" {
		t.Fatalf("not sent to the redirect URI: %d %v %v", resp.StatusCode, to, err)
	}
	return to.Query()
}

func TestProvider(t *testing.T) {
	p := mustStart(t)
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		op, cfg := mustDiscover(t, p, "app", "app-secret", redirectURI)
		verifier := oauth2.GenerateVerifier()
		q := mustAuthorize(t, p, cfg.AuthCodeURL("st", oidc.Nonce("n1"), oauth2.S256ChallengeOption(verifier)), "ivy")
		if q.Get("state") != "st" || q.Get("code") == "" {
			t.Fatalf("answer %v", q)
		}
		tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := op.Verifier(&oidc.Config{ClientID: "app"}).Verify(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil || idt.Nonce != "n1" || idt.Subject != "u1" {
			t.Fatalf("ID token %+v: %v", idt, err)
		}
		var claims struct{ Email string }
		if err := idt.Claims(&claims); err != nil || claims.Email != "" {
			t.Fatalf("ID token has email %q (%v); it belongs to userinfo", claims.Email, err)
		}
		info, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatal(err)
		}
		var profile struct{ Name string }
		if err := info.Claims(&profile); err != nil || info.Subject != "u1" || info.Email != "ivy@acme.example" ||
			!info.EmailVerified || profile.Name != "Ivy Invited" {
			t.Fatalf("userinfo %+v %+v: %v", info, profile, err)
		}

		if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("a code was good twice")
		}
	})

	t.Run("ClaimsInIDToken", func(t *testing.T) {
		op, cfg := mustDiscover(t, p, "claims", "claims-secret", claimsRedirectURI)
		verifier := oauth2.GenerateVerifier()
		q := mustAuthorize(t, p, cfg.AuthCodeURL("st", oidc.Nonce("n2"), oauth2.S256ChallengeOption(verifier)), "una")
		tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := op.Verifier(&oidc.Config{ClientID: "claims"}).Verify(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Email         string
			EmailVerified *bool `json:"email_verified"`
			Name          string
		}
		if err := idt.Claims(&claims); err != nil || idt.Subject != "una" || claims.Email != "una@acme.example" ||
			claims.Name != "Una Unverified" || (claims.EmailVerified != nil && *claims.EmailVerified) {
			t.Fatalf("ID token %+v %+v: %v", idt, claims, err)
		}
	})

	t.Run("ErrExchange", func(t *testing.T) {
		for name, c := range map[string]struct {
			secret, verifier string
		}{
			"Secret":   {secret: "wrong", verifier: ""},
			"Verifier": {secret: "app-secret", verifier: oauth2.GenerateVerifier()},
		} {
			_, cfg := mustDiscover(t, p, "app", "app-secret", redirectURI)
			verifier := oauth2.GenerateVerifier()
			q := mustAuthorize(t, p, cfg.AuthCodeURL("st", oidc.Nonce("n"), oauth2.S256ChallengeOption(verifier)), "ivy")
			cfg.ClientSecret = c.secret
			if c.verifier != "" {
				verifier = c.verifier
			}
			var refused *oauth2.RetrieveError
			if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); !errors.As(err, &refused) {
				t.Errorf("%s: exchange gave %v", name, err)
			}
		}
	})

	t.Run("ErrAuthorize", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		for name, c := range map[string]struct {
			redirect string
			opts     []oauth2.AuthCodeOption
		}{
			"NoNonce":     {redirectURI, []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}},
			"NoPKCE":      {redirectURI, []oauth2.AuthCodeOption{oidc.Nonce("n")}},
			"PlainPKCE":   {redirectURI, []oauth2.AuthCodeOption{oidc.Nonce("n"), oauth2.SetAuthURLParam("code_challenge", verifier)}},
			"RedirectURI": {redirectURI + "/other", []oauth2.AuthCodeOption{oidc.Nonce("n"), oauth2.S256ChallengeOption(verifier)}},
		} {
			_, cfg := mustDiscover(t, p, "app", "app-secret", c.redirect)
			resp, err := newBrowser(t).Get(cfg.AuthCodeURL("st", c.opts...))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if c.redirect != redirectURI {
				// Never redirect to a URI the client did not register.
				if resp.StatusCode != http.StatusBadRequest || resp.Request.URL.Host == "127.0.0.1:1" {
					t.Errorf("%s: %d at %s", name, resp.StatusCode, resp.Request.URL)
				}
				continue
			}
			if q := mustRedirectQuery(t, resp); q.Get("error") != "invalid_request" || q.Get("code") != "" {
				t.Errorf("%s: answer %v", name, q)
			}
		}
	})

	t.Run("ErrLogin", func(t *testing.T) {
		_, cfg := mustDiscover(t, p, "app", "app-secret", redirectURI)
		b := newBrowser(t)
		resp, err := b.Get(cfg.AuthCodeURL("st", oidc.Nonce("n"), oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		login := resp.Request.URL.String()
		for name, c := range map[string]struct{ login, username string }{
			"UnknownUser":    {login, "nobody"},
			"UnknownRequest": {p.Issuer + oidctest.LoginPath + "?id=unknown", "ivy"},
		} {
			resp, err := p.SignIn(b, c.login, c.username)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d at %s", name, resp.StatusCode, resp.Request.URL)
			}
		}
	})
}
