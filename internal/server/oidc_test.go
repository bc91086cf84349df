package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/api"
	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/identity/oidctest"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

const (
	opClientID     = "provisio"
	opClientSecret = "op-client-secret"
)

// startOP runs the project's test OpenID provider on loopback, with one
// web client that may redirect to redirectURI.
func startOP(t *testing.T, redirectURI string, users []oidctest.User) *oidctest.Provider {
	t.Helper()
	return oidctest.Start(t, oidctest.Config{
		Clients: []oidctest.Client{{ID: opClientID, Secret: opClientSecret, RedirectURI: redirectURI}},
		Users:   users,
	})
}

// browser is a person's browser: it keeps cookies and follows redirects,
// and notes the Set-Cookie headers of Provisio's OIDC callback.
type browser struct {
	*http.Client
	callback        string // the callback URL the provider sent the browser to
	callbackCookies []string
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{}
	b.Client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		if req.URL.Path == "/auth/oidc/callback" {
			b.callback = req.URL.String()
		}
		if prev := via[len(via)-1]; prev.URL.Path == "/auth/oidc/callback" {
			b.callbackCookies = req.Response.Header.Values("Set-Cookie")
		}
		return nil
	}}
	return b
}

// done reads a whole response, failing the test on a transport error.
func done(t testing.TB) func(*http.Response, error) (*http.Response, string) {
	return func(resp *http.Response, err error) (*http.Response, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
}

// signIn starts an external sign-in at Provisio, logs in at the provider
// as username, and returns where the browser ended.
func (b *browser) signIn(t *testing.T, base string, idp *oidctest.Provider, orgID, username string) (*http.Response, string) {
	t.Helper()
	resp, body := done(t)(b.Get(base + "/auth/oidc/" + orgID + "/start"))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), idp.Issuer+oidctest.LoginPath+"?") {
		t.Fatalf("not at the provider's login form: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	return done(t)(idp.SignIn(b.Client, resp.Request.URL.String(), username))
}

func (b *browser) session(base string) string {
	u, _ := url.Parse(base)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == api.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// TestOIDC signs people in through the test OpenID provider (oidctest),
// started in-process, with a browser-like client: an invited user at an
// allowed domain registers and gets a session (R-USER-4); a user at
// another domain is refused and stays as it was; a callback is never
// accepted twice, nor without the browser that started it.
// R-USER-4 R-PLUS-3
func TestOIDC(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		idp := startOP(t, base+"/auth/oidc/callback", []oidctest.User{
			{Subject: "u1", Username: "ivy", Name: "Ivy Invited", Email: "ivy@acme.example", EmailVerified: true},
			{Subject: "u2", Username: "otto", Name: "Otto Other", Email: "otto@other.example", EmailVerified: true},
			{Subject: "u3", Username: "una", Name: "Una Unverified", Email: "una@acme.example", EmailVerified: false},
		})
		issuer := idp.Issuer

		cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig(), OutboundLoopback: true}
		cfg.App.BaseURL = base
		cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
		cfg.App.MFAFor = nil // the operator only sets things up, with a token
		s, err := server.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewUnstartedServer(s.Handler())
		hs.Listener.Close()
		hs.Listener = ln
		hs.Start()
		t.Cleanup(func() { hs.Close(); s.Close() })

		a := s.App
		op, _ := operator(t, ctx, a)
		cust, err := a.CreateOrg(ctx, op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.SetOIDCProvider(ctx, op, cust.ID, domain.OIDCProvider{Issuer: issuer, ClientID: opClientID,
			ClientSecret: opClientSecret, AllowedDomains: []string{"acme.example"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.VerifySSODomain(ctx, op, cust.ID, "acme.example"); err != nil {
			t.Fatal(err)
		}
		invite := func(email string) *domain.User {
			u, _, err := a.CreateUser(ctx, op, app.NewUser{OrgID: cust.ID, Email: email, Name: "Person " + email[:strings.IndexByte(email, '@')],
				Roles: []domain.Role{domain.RoleCustomerAdmin}})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		ivy, otto, una := invite("ivy@acme.example"), invite("otto@other.example"), invite("una@acme.example")

		// A sign-in started for a page goes on to it (a site's
		// application's sign-in step, say), and never off the portal.
		t.Run("Next", func(t *testing.T) {
			for next, want := range map[string]string{"/account": "/account", "https://evil.example/": "/"} {
				b := newBrowser(t)
				resp, body := done(t)(b.Get(base + "/auth/oidc/" + cust.ID + "/start?next=" + url.QueryEscape(next)))
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("start: %d %s", resp.StatusCode, body)
				}
				resp, body = done(t)(idp.SignIn(b.Client, resp.Request.URL.String(), "ivy"))
				if resp.Request.URL.Path != want {
					t.Fatalf("next %q: ended at %s (%d)\n%s", next, resp.Request.URL, resp.StatusCode, body)
				}
			}
		})

		t.Run("OK", func(t *testing.T) {
			b := newBrowser(t)
			resp, body := b.signIn(t, base, idp, cust.ID, "ivy")
			if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != base+"/" {
				t.Fatalf("ended at %d %s: %s", resp.StatusCode, resp.Request.URL, body)
			}
			token := b.session(base)
			if !strings.HasPrefix(token, "pvs_") {
				t.Fatalf("no session cookie; callback set %q", b.callbackCookies)
			}
			var set string
			for _, c := range b.callbackCookies {
				if strings.HasPrefix(c, api.SessionCookie+"=") {
					set = c
				}
			}
			for _, attr := range []string{"Path=/", "HttpOnly", "SameSite=Lax", "Max-Age="} {
				if !strings.Contains(set, attr) {
					t.Errorf("session cookie %q lacks %s", set, attr)
				}
			}
			if strings.Contains(set, "Secure") {
				t.Errorf("session cookie %q is Secure on http://", set)
			}

			resp, body = done(t)(b.Get(base + "/api/v1/me"))
			var me struct {
				User struct{ ID, Email, State string } `json:"user"`
			}
			if err := json.Unmarshal([]byte(body), &me); err != nil || resp.StatusCode != http.StatusOK || me.User.ID != ivy.ID ||
				me.User.State != "active" {
				t.Fatalf("GET /me: %d %s", resp.StatusCode, body)
			}
			resp, body = done(t)(b.Get(base + "/api/v1/sessions"))
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"via":"oidc"`) || !strings.Contains(body, `"mfa":true`) {
				t.Fatalf("GET /sessions: %d %s", resp.StatusCode, body)
			}
			if u, err := a.User(ctx, op, ivy.ID); err != nil || u.State != domain.UserActive {
				t.Fatalf("ivy is %+v %v", u, err)
			}

			// The provider's answer is good once: replayed, even with the
			// state cookie, it is refused and signs nobody in.
			req, _ := http.NewRequest(http.MethodGet, b.callback, nil)
			req.AddCookie(&http.Cookie{Name: "provisio_oidc_state", Value: stateOf(t, b.callback)})
			resp, body = done(t)(http.DefaultTransport.RoundTrip(req))
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "start again") || hasSession(resp) {
				t.Fatalf("replayed callback: %d %q %s", resp.StatusCode, resp.Header.Values("Set-Cookie"), body)
			}
		})

		for _, c := range []struct {
			name, username string
			usr            *domain.User
		}{{"ErrDomain", "otto", otto}, {"ErrUnverified", "una", una}} {
			t.Run(c.name, func(t *testing.T) {
				b := newBrowser(t)
				resp, body := b.signIn(t, base, idp, cust.ID, c.username)
				if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Request.URL.String(), base+"/auth/oidc/callback") ||
					!strings.Contains(body, "cannot sign in here through the identity provider") {
					t.Fatalf("ended at %d %s: %s", resp.StatusCode, resp.Request.URL, body)
				}
				if tok := b.session(base); tok != "" {
					t.Fatalf("refused sign-in left a session cookie")
				}
				if u, err := a.User(ctx, op, c.usr.ID); err != nil || u.State != domain.UserInvited {
					t.Fatalf("%s is %+v %v", c.username, u, err)
				}
			})
		}

		t.Run("ErrForgedCode", func(t *testing.T) {
			b := newBrowser(t)
			b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, _ := done(t)(b.Get(base + "/auth/oidc/" + cust.ID + "/start"))
			to, err := resp.Location()
			if err != nil || !strings.HasPrefix(to.String(), issuer) || to.Query().Get("code_challenge_method") != "S256" ||
				to.Query().Get("nonce") == "" || to.Query().Get("redirect_uri") != base+"/auth/oidc/callback" {
				t.Fatalf("start redirects to %v (%v)", to, err)
			}
			resp, body := done(t)(b.Get(base + "/auth/oidc/callback?code=forged&state=" + url.QueryEscape(to.Query().Get("state"))))
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "did not confirm the sign-in") || hasSession(resp) {
				t.Fatalf("forged code: %d %s", resp.StatusCode, body)
			}
		})

		t.Run("ErrBadCallback", func(t *testing.T) {
			for name, r := range map[string]struct{ path, cookie string }{
				"UnknownState":   {"/auth/oidc/callback?state=ost_unknown&code=x", "ost_unknown"},
				"NoStateCookie":  {"/auth/oidc/callback?state=ost_unknown&code=x", ""},
				"NoState":        {"/auth/oidc/callback", ""},
				"UnknownOrg":     {"/auth/oidc/org_unknown/start", ""},
				"ProviderRefuse": {"/auth/oidc/callback?error=access_denied&state=ost_x", "ost_x"},
			} {
				req, _ := http.NewRequest(http.MethodGet, base+r.path, nil)
				if r.cookie != "" {
					req.AddCookie(&http.Cookie{Name: "provisio_oidc_state", Value: r.cookie})
				}
				resp, body := done(t)(http.DefaultTransport.RoundTrip(req))
				if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.Contains(body, `role="alert"`) || hasSession(resp) {
					t.Errorf("%s: %d %s", name, resp.StatusCode, body)
				}
			}
		})
	})
}

func stateOf(t *testing.T, callback string) string {
	t.Helper()
	u, err := url.Parse(callback)
	if err != nil || u.Query().Get("state") == "" {
		t.Fatalf("callback %q has no state", callback)
	}
	return u.Query().Get("state")
}

func hasSession(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == api.SessionCookie && c.Value != "" {
			return true
		}
	}
	return false
}
