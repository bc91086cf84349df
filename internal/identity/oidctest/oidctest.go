// Package oidctest runs a small OpenID provider for tests of Provisio's
// OpenID Connect clients, such as the portal's sign-in at an
// organisation's own identity provider.
//
// It is built on zitadel's maintained op package and keeps everything in
// memory. It speaks the authorization code flow only, and only for
// confidential web clients that authenticate with a secret (HTTP Basic or
// form post) and redirect to exactly the URI they registered. It refuses
// an authorization request without a nonce or without PKCE (S256), since
// Provisio always sends both. Discovery, the keys (JWKS), the token and
// userinfo endpoints are op's own; ID tokens are signed with an RSA key
// generated when the provider starts.
//
// The login step is a plain HTML form at [LoginPath] where the person
// types a username, without a password: a test signs a configured [User]
// in by submitting it, with a browser or with [Provider.SignIn].
//
// It is test support: never serve it outside tests.
package oidctest

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// LoginPath is where the provider sends the browser to sign in, with the
// authorization request's id as the query parameter id.
const LoginPath = "/login"

// User is a person who can sign in at the provider.
type User struct {
	Username      string // what the person types at the login form
	Subject       string // the sub claim; Username when empty
	Email         string // the email claim, for the email scope
	EmailVerified bool   // the email_verified claim, for the email scope
	Name          string // the name claim, for the profile scope
}

// Client is a confidential web client registered at the provider.
type Client struct {
	ID          string
	Secret      string
	RedirectURI string // the one redirect URI the client may use, matched exactly
	// ClaimsInIDToken puts the scopes' claims (email, name) into the ID
	// token too. Otherwise they come from the userinfo endpoint only, as
	// with many providers.
	ClaimsInIDToken bool
}

// Config lists the clients and the people the provider knows.
type Config struct {
	Clients []Client
	Users   []User
}

// Provider is a running test OpenID provider, an http.Handler serving
// every endpoint below its issuer URL.
type Provider struct {
	Issuer string // the provider's URL, as in its discovery document and tokens
	http.Handler
	op *op.Provider
	st *storage
}

// New returns a provider for issuer, which must be the URL the provider
// is served at with no path. An http issuer is accepted: tests run on
// loopback.
func New(issuer string, cfg Config) (*Provider, error) {
	st, err := newStorage(cfg)
	if err != nil {
		return nil, err
	}
	var opCfg op.Config
	// The key encrypts the codes and access tokens op hands out;
	// crypto/rand.Read never fails (Go 1.24+).
	rand.Read(opCfg.CryptoKey[:])
	opCfg.CodeMethodS256 = true
	opCfg.AuthMethodPost = true
	o, err := op.NewProvider(&opCfg, st, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("test OpenID provider at %s: %w", issuer, err)
	}
	p := &Provider{Issuer: issuer, op: o, st: st}
	mux := http.NewServeMux()
	mux.HandleFunc(LoginPath, p.login)
	mux.Handle("/", o)
	p.Handler = mux
	return p, nil
}

// Start serves a new provider on a loopback port until the test ends.
// It fails the test if the provider cannot start.
func Start(tb testing.TB, cfg Config) *Provider {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("test OpenID provider: %v", err)
	}
	p, err := New("http://"+ln.Addr().String(), cfg)
	if err != nil {
		ln.Close()
		tb.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(p)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	tb.Cleanup(hs.Close)
	return p
}

// SignIn submits the login form of loginURL, the page the provider sent
// the browser to, as username, and returns where c ended after following
// the redirects (to the client's redirect URI once signed in). An unknown
// username or authorization request answers 400 at the login form.
func (p *Provider) SignIn(c *http.Client, loginURL, username string) (*http.Response, error) {
	u, err := url.Parse(loginURL)
	if err != nil {
		return nil, fmt.Errorf("login URL: %w", err)
	}
	return c.PostForm(p.Issuer+LoginPath, url.Values{"id": {u.Query().Get("id")}, "username": {username}})
}
