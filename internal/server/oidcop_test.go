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
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

const (
	appRedirect = "http://127.0.0.1:9/callback" // never reached: the browser stops there
	appPassword = "a long enough password"
)

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration)     { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }
func newTestClock() *testClock               { return &testClock{now: time.Now().UTC().Truncate(time.Second)} }
func (c *testClock) fixed() func() time.Time { return c.Now }

// siteWorld is a running portal with a customer, its site and company, a
// member, an operations agent, a linked partner's agent, and an
// application registered for the site.
type siteWorld struct {
	t        testing.TB
	base     string
	a        *app.App
	clock    *testClock
	site     *domain.Site
	company  *domain.Company
	clientID string
	secret   string
	ids      map[string]string
	dbURL    string
}

// replica starts a server of the portal on ln, over the world's database,
// with the world's public URL and clock: every replica is the same issuer.
func (w *siteWorld) replica(ln net.Listener) *server.Server {
	w.t.Helper()
	cfg := server.Config{DatabaseURL: w.dbURL, App: app.DefaultConfig()}
	cfg.App.BaseURL = w.base
	cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	cfg.App.MFAFor = nil
	s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), w.clock.fixed())
	if err != nil {
		w.t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(s.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	w.t.Cleanup(func() { hs.Close(); s.Close() })
	return s
}

var inviteRE = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]+)`)

func startSiteWorld(t testing.TB, d store.Dialect) *siteWorld {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &siteWorld{t: t, base: "http://" + ln.Addr().String(), clock: newTestClock(), ids: map[string]string{},
		dbURL: storetest.URL(t, d)}
	w.a = w.replica(ln).App
	a, sys := w.a, app.System
	partner := need(t, of1(a.CreateOrg(ctx, sys, app.NewOrg{Kind: domain.OrgPartner, Name: "Northwind"})))
	cust := need(t, of1(a.CreateOrg(ctx, sys, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme", PartnerID: partner.ID})))
	w.site = need(t, of1(a.CreateSite(ctx, sys, app.NewSite{CustomerID: cust.ID, Name: "acme-prod", Edition: domain.EditionStandard, Company: "Acme Ltd"})))
	w.company = need(t, of1(a.Companies(ctx, sys, w.site.ID, domain.Page{}))).Items[0]
	w.person(cust.ID, "carol@acme.example", "Carol Admin", domain.RoleCustomerAdmin)
	w.person(cust.ID, "uma@acme.example", "Uma User", domain.RoleCustomerUser)
	w.person(cust.ID, "otto@acme.example", "Otto Ops", domain.RoleCustomerOps)
	w.person(partner.ID, "sam@northwind.example", "Sam Agent", domain.RolePartnerAgent)
	for _, p := range [][2]string{{"uma@acme.example", string(domain.RoleCustomerUser)}, {"otto@acme.example", string(domain.RoleCustomerOps)}} {
		need(t, of1(a.AssignUser(ctx, sys, w.site.ID, w.ids[p[0]], domain.Role(p[1]))))
	}
	var c *domain.AppClient
	w.secret, c = need2(t, of2(a.CreateAppClient(ctx, sys, app.NewAppClient{SiteID: w.site.ID, Name: "acme-prod web portal",
		RedirectURIs: []string{appRedirect}})))
	w.clientID = c.ID
	return w
}

// person invites a user and registers it through its invitation.
func (w *siteWorld) person(orgID, email, name string, role domain.Role) {
	ctx := context.Background()
	u, _ := need2(w.t, of2(w.a.CreateUser(ctx, app.System, app.NewUser{OrgID: orgID, Email: email, Name: name, Roles: []domain.Role{role}})))
	kind := domain.NoticeInvitation
	l := need(w.t, of1(w.a.Mailbox(ctx, app.System, domain.NoticeFilter{ToEmail: &email, Kind: &kind})))
	m := inviteRE.FindStringSubmatch(l.Items[len(l.Items)-1].Body)
	need(w.t, of1(w.a.AcceptInvitation(ctx, "", m[1], appPassword)))
	w.ids[email] = u.ID
}

type res[T any] struct {
	v   T
	err error
}

func of1[T any](v T, err error) res[T] { return res[T]{v, err} }

// need returns r's value, failing the test on its error.
func need[T any](t testing.TB, r res[T]) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

type res2[A, B any] struct {
	a   A
	b   B
	err error
}

func of2[A, B any](a A, b B, err error) res2[A, B] { return res2[A, B]{a, b, err} }

func need2[A, B any](t testing.TB, r res2[A, B]) (A, B) {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.a, r.b
}

// browserFor is a browser that stops at the application's redirect URI,
// as the application's own server would take over there.
func browserFor(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		if req.URL.Host == "127.0.0.1:9" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// signIn follows authURL in a new browser, signs in to the portal as
// email, and returns the query the application got back (code, state or
// error), or the page the browser ended on when it was not sent back.
func (w *siteWorld) signIn(authURL, email string) (url.Values, int, string) {
	w.t.Helper()
	b := browserFor(w.t)
	resp, body := done(w.t)(b.Get(authURL))
	if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		u, _ := url.Parse(loc)
		return u.Query(), resp.StatusCode, body // sent straight back (an error)
	}
	if resp.Request.URL.Path != "/signin" {
		return nil, resp.StatusCode, body
	}
	next := resp.Request.URL.Query().Get("next")
	resp, body = done(w.t)(b.PostForm(w.base+"/signin", url.Values{"email": {email}, "password": {appPassword}, "next": {next}}))
	if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		u, _ := url.Parse(resp.Header.Get("Location"))
		if u.Host == "127.0.0.1:9" {
			return u.Query(), resp.StatusCode, body
		}
	}
	return nil, resp.StatusCode, body
}

// relyingParty is the site's application as a real client library sees
// the provider.
type relyingParty struct {
	provider *oidc.Provider
	oauth    oauth2.Config
}

func (w *siteWorld) relyingParty(clientID, secret string, scopes ...string) *relyingParty {
	w.t.Helper()
	p, err := oidc.NewProvider(context.Background(), w.base)
	if err != nil {
		w.t.Fatalf("discovery: %v", err)
	}
	return &relyingParty{provider: p, oauth: oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: p.Endpoint(),
		RedirectURL: appRedirect, Scopes: append([]string{oidc.ScopeOpenID, "email", "profile", oidc.ScopeOfflineAccess}, scopes...)}}
}

// login runs a whole sign-in as email and returns the tokens and the
// verified ID token.
func (w *siteWorld) login(rp *relyingParty, email string) (*oauth2.Token, *oidc.IDToken) {
	w.t.Helper()
	verifier, nonce := oauth2.GenerateVerifier(), "n-"+oauth2.GenerateVerifier()
	q, status, body := w.signIn(rp.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), email)
	if q.Get("code") == "" || q.Get("state") != "st" {
		w.t.Fatalf("sign-in of %s: %d %v\n%s", email, status, q, body)
	}
	tok, err := rp.oauth.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		w.t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := rp.provider.Verifier(&oidc.Config{ClientID: rp.oauth.ClientID}).Verify(context.Background(), raw)
	if err != nil {
		w.t.Fatalf("ID token: %v", err)
	}
	if id.Nonce != nonce {
		w.t.Fatalf("nonce %q, want %q", id.Nonce, nonce)
	}
	if err := id.VerifyAccessToken(tok.AccessToken); err != nil {
		w.t.Fatalf("at_hash: %v", err)
	}
	return tok, id
}

type siteClaims struct {
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name"`
	Provisio      struct {
		Site      struct{ ID, Name string }   `json:"site"`
		Role      string                      `json:"role"`
		Via       string                      `json:"via"`
		ExpiresAt string                      `json:"expires_at"`
		Companies []struct{ ID, Name string } `json:"companies"`
	} `json:"provisio"`
}

// refresh asks for new tokens with a refresh token.
func (rp *relyingParty) refresh(refresh string) (*oauth2.Token, error) {
	return rp.oauth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: refresh, Expiry: time.Unix(1, 0)}).Token()
}

// introspect asks the provider whether an access token is active, as the
// site's application (RFC 7662).
func (w *siteWorld) introspect(token string) bool {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.base+"/oidc/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(w.clientID), url.QueryEscape(w.secret))
	resp, body := done(w.t)(http.DefaultClient.Do(req))
	if resp.StatusCode != http.StatusOK {
		w.t.Fatalf("introspection: %d %s", resp.StatusCode, body)
	}
	return strings.Contains(body, `"active":true`)
}

// TestAppSignIn drives the OpenID provider with a real client library
// (go-oidc and x/oauth2) through the portal's own pages: a member and a
// partner sign in and get tokens whose claims say the site, role, how
// access was got and the companies; refresh rotates; a revoked or expired
// grant, a locked user and a company the person is not in are refused in
// plain words; PKCE, redirect URIs and codes are checked. R-APP-2
func TestAppSignIn(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		w := startSiteWorld(t, d)
		ctx := context.Background()
		rp := w.relyingParty(w.clientID, w.secret)

		// A member.
		tok, id := w.login(rp, "uma@acme.example")
		var c siteClaims
		if err := id.Claims(&c); err != nil {
			t.Fatal(err)
		}
		if id.Subject != w.ids["uma@acme.example"] || c.Email != "uma@acme.example" || !c.EmailVerified || c.Name != "Uma User" ||
			c.Provisio.Site.Name != "acme-prod" || c.Provisio.Role != "customer_user" || c.Provisio.Via != "member" {
			t.Fatalf("the member's claims: %+v", c)
		}
		info, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil || info.Email != "uma@acme.example" {
			t.Fatalf("userinfo: %+v %v", info, err)
		}
		if !w.introspect(tok.AccessToken) {
			t.Fatal("a fresh access token is not active")
		}
		// Refresh rotates: the new token works, the old one no longer.
		fresh, err := rp.refresh(tok.RefreshToken)
		if err != nil || fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken {
			t.Fatalf("refresh: %v %+v", err, fresh)
		}
		if _, err := rp.refresh(tok.RefreshToken); err == nil {
			t.Fatal("a used refresh token worked again")
		}
		// Its reuse revoked the whole chain (RFC 9700): the newer token too.
		if _, err := rp.refresh(fresh.RefreshToken); err == nil {
			t.Fatal("a refresh chain survived the reuse of one of its tokens")
		}

		// A company: the member is not in it; the operations agent is.
		rpCo := w.relyingParty(w.clientID, w.secret, "company:"+w.company.ID)
		verifier := oauth2.GenerateVerifier()
		q, status, body := w.signIn(rpCo.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "uma@acme.example")
		if q != nil || status != http.StatusForbidden || !strings.Contains(body, "not assigned to the company Acme Ltd on acme-prod") ||
			!strings.Contains(body, "error=access_denied") || !strings.Contains(body, "Back to the application") {
			t.Fatalf("a company the member is not in: %d %v\n%s", status, q, body)
		}
		_, id = w.login(rpCo, "otto@acme.example")
		if err := id.Claims(&c); err != nil || len(c.Provisio.Companies) != 1 || c.Provisio.Companies[0].Name != "Acme Ltd" {
			t.Fatalf("the operations agent's companies: %+v %v", c.Provisio.Companies, err)
		}

		// A partner with an approved grant.
		sam := w.actor("sam@northwind.example")
		req := need(t, of1(w.a.RequestAccess(ctx, sam, w.site.ID, w.ids["sam@northwind.example"], ""))).Request
		need(t, of1(w.a.ApproveRequest(ctx, app.System, req.ID, 24*time.Hour)))
		partnerTok, id := w.login(rp, "sam@northwind.example")
		if err := id.Claims(&c); err != nil || c.Provisio.Via != "partner" || c.Provisio.ExpiresAt == "" {
			t.Fatalf("the partner's claims: %+v %v", c, err)
		}
		// The grant ends: the refresh is refused with the reason, and
		// the access token is no longer active.
		w.clock.Add(25 * time.Hour)
		if w.introspect(partnerTok.AccessToken) {
			t.Fatal("the partner's access token is active after the grant ended")
		}
		if _, err := rp.refresh(partnerTok.RefreshToken); err == nil || !strings.Contains(err.Error(), "Your partner access to acme-prod ended at") {
			t.Fatalf("refresh after the grant ended: %v", err)
		}

		// A locked user loses the application within one refresh.
		tok, _ = w.login(rp, "uma@acme.example")
		need(t, of1(w.a.LockUser(ctx, app.System, w.ids["uma@acme.example"])))
		if w.introspect(tok.AccessToken) {
			t.Fatal("a locked user's access token is still active")
		}
		if _, err := rp.refresh(tok.RefreshToken); err == nil || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("a locked user's refresh: %v", err)
		}

		// Revocation (RFC 7009): a revoked refresh token no longer works.
		tok, _ = w.login(rp, "otto@acme.example")
		rev, _ := http.NewRequest(http.MethodPost, w.base+"/oidc/revoke", strings.NewReader(url.Values{
			"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}.Encode()))
		rev.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rev.SetBasicAuth(url.QueryEscape(w.clientID), url.QueryEscape(w.secret))
		if resp, body := done(t)(http.DefaultClient.Do(rev)); resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d %s", resp.StatusCode, body)
		}
		if _, err := rp.refresh(tok.RefreshToken); err == nil {
			t.Fatal("a revoked refresh token worked")
		}
		// RP-initiated logout ends the person's tokens for the application.
		tok, _ = w.login(rp, "otto@acme.example")
		raw, _ := tok.Extra("id_token").(string)
		if resp, body := done(t)(browserFor(t).Get(w.base + "/oidc/end_session?id_token_hint=" + url.QueryEscape(raw) +
			"&client_id=" + url.QueryEscape(w.clientID))); resp.StatusCode >= 400 {
			t.Fatalf("end session: %d %s", resp.StatusCode, body)
		}
		if w.introspect(tok.AccessToken) {
			t.Fatal("the access token is active after logout")
		}
		if _, err := rp.refresh(tok.RefreshToken); err == nil {
			t.Fatal("the refresh token works after logout")
		}

		// A redirect URI that is not registered is never followed.
		bad := rp.oauth
		bad.RedirectURL = "https://attacker.example/cb"
		if q, status, _ := w.signIn(bad.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "otto@acme.example"); q != nil || status < 400 {
			t.Fatalf("an unregistered redirect URI: %d %v", status, q)
		}
		// A code works once, and only with its PKCE verifier.
		v2 := oauth2.GenerateVerifier()
		q, _, _ = w.signIn(rp.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v2)), "otto@acme.example")
		if _, err := rp.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("a code was exchanged with the wrong PKCE verifier")
		}
		q, _, _ = w.signIn(rp.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v2)), "otto@acme.example")
		if _, err := rp.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v2)); err != nil {
			t.Fatalf("exchange: %v", err)
		}
		if _, err := rp.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v2)); err == nil {
			t.Fatal("a code was exchanged twice")
		}

		// The site's dashboard shows each person's last sign-in, and the
		// activity log has every sign-in and refusal.
		links := need(t, of1(w.a.SiteLinks(ctx, app.System, w.site.ID, 1, 100)))
		if links.LastSignIn[w.ids["otto@acme.example"]].IsZero() || !links.LastSignIn[w.ids["carol@acme.example"]].IsZero() {
			t.Fatalf("last sign-ins: %v", links.LastSignIn)
		}
		kinds := map[string]int{}
		for _, e := range need(t, of1(w.a.Audit(ctx, app.System, domain.AuditFilter{}))) {
			kinds[e.Action]++
		}
		if kinds["oidc.sign_in"] < 5 || kinds["oidc.sign_in_refused"] != 1 {
			t.Fatalf("sign-ins in the activity log: %v", kinds)
		}

		// A public application must use PKCE.
		_, pub := need2(t, of2(w.a.CreateAppClient(ctx, app.System, app.NewAppClient{SiteID: w.site.ID, Name: "acme desktop",
			Public: true, RedirectURIs: []string{appRedirect}})))
		rpPub := w.relyingParty(pub.ID, "")
		q, _, _ = w.signIn(rpPub.oauth.AuthCodeURL("st"), "otto@acme.example")
		if q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "PKCE") {
			t.Fatalf("a public application without PKCE: %v", q)
		}
		v3 := oauth2.GenerateVerifier()
		q, _, _ = w.signIn(rpPub.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v3)), "otto@acme.example")
		if _, err := rpPub.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v3)); err != nil {
			t.Fatalf("a public application with PKCE: %v", err)
		}
	})
}

// actor is a registered person as the app sees them.
func (w *siteWorld) actor(email string) app.Actor {
	w.t.Helper()
	secret, _ := need2(w.t, of2(w.a.IssueToken(context.Background(), "", email, appPassword, "test")))
	return need(w.t, of1(w.a.Authenticate(context.Background(), secret, "")))
}

// TestAppSignIn_TwoReplicas: a token issued by one replica is refreshed,
// and its access token answered, by another over the same PostgreSQL
// database; both publish the same keys. R-APP-2
func TestAppSignIn_TwoReplicas(t *testing.T) {
	w := startSiteWorld(t, storetest.Postgres) // skips without PostgreSQL
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.replica(ln)
	other := "http://" + ln.Addr().String()
	rp := w.relyingParty(w.clientID, w.secret)
	tok, _ := w.login(rp, "uma@acme.example")

	// The refresh and the userinfo go to the other replica.
	onOther := rp.oauth
	onOther.Endpoint.TokenURL = other + "/oidc/token"
	fresh, err := onOther.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		t.Fatalf("refresh on the other replica: %v", err)
	}
	raw, _ := fresh.Extra("id_token").(string)
	if _, err := rp.provider.Verifier(&oidc.Config{ClientID: w.clientID}).Verify(context.Background(), raw); err != nil {
		t.Fatalf("the other replica's ID token does not verify with the first one's keys: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, other+"/oidc/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, body := done(t)(http.DefaultClient.Do(req)); resp.StatusCode != http.StatusOK || !strings.Contains(body, "uma@acme.example") {
		t.Fatalf("the first replica's access token on the other: %d %s", resp.StatusCode, body)
	}
}

// TestAppSignIn_KeysAndDiscovery checks the provider as the OpenID
// Foundation's basic RP-facing profile would, as far as it can be run
// offline: the discovery document's fields, and that a token signed by a
// key rotated out no longer verifies. R-APP-2
func TestAppSignIn_KeysAndDiscovery(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		w := startSiteWorld(t, d)
		_, body := done(t)(http.Get(w.base + "/.well-known/openid-configuration"))
		var doc map[string]any
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{
			"issuer": w.base, "authorization_endpoint": w.base + "/oidc/authorize", "token_endpoint": w.base + "/oidc/token",
			"userinfo_endpoint": w.base + "/oidc/userinfo", "jwks_uri": w.base + "/oidc/keys",
			"revocation_endpoint": w.base + "/oidc/revoke", "introspection_endpoint": w.base + "/oidc/introspect",
			"end_session_endpoint": w.base + "/oidc/end_session",
		} {
			if doc[k] != want {
				t.Errorf("discovery %s = %v, want %s", k, doc[k], want)
			}
		}
		for k, want := range map[string]string{"response_types_supported": "code", "subject_types_supported": "public",
			"id_token_signing_alg_values_supported": "RS256", "code_challenge_methods_supported": "S256",
			"grant_types_supported": "refresh_token", "scopes_supported": "openid"} {
			if list, _ := doc[k].([]any); !slices.Contains(list, any(want)) {
				t.Errorf("discovery %s = %v, lacks %s", k, doc[k], want)
			}
		}

		rp := w.relyingParty(w.clientID, w.secret)
		tok, _ := w.login(rp, "uma@acme.example")
		raw, _ := tok.Extra("id_token").(string)
		// Past the rotation period and the retirement of its key, a new
		// key signs and the old one is no longer published.
		w.clock.Add(app.DefaultConfig().AppKeyRotation + 3*time.Hour)
		w.login(rp, "otto@acme.example")
		fresh := w.relyingParty(w.clientID, w.secret)
		if _, err := fresh.provider.Verifier(&oidc.Config{ClientID: w.clientID}).Verify(context.Background(), raw); err == nil {
			t.Fatal("a token signed by a retired key still verifies")
		}
	})
}

// TestAppSignIn_Attacks: the code of a sign-in goes only to the browser
// that signed in; a finished sign-in cannot be taken over by another
// person; a code is exchanged once however many try at the same time;
// prompt=none without a portal session answers login_required; one
// company scope at most. R-APP-2
func TestAppSignIn_Attacks(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		w := startSiteWorld(t, d)
		ctx := context.Background()
		rp := w.relyingParty(w.clientID, w.secret)

		// The attacker starts a sign-in and learns its id.
		attacker := browserFor(t)
		v := oauth2.GenerateVerifier()
		resp, _ := done(t)(attacker.Get(rp.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v))))
		loginURL := resp.Request.URL.Query().Get("next") // /oidc/login?id=…
		id := strings.TrimPrefix(loginURL, "/oidc/login?id=")
		if !strings.HasPrefix(loginURL, "/oidc/login?id=") {
			t.Fatalf("no login step: %s", resp.Request.URL)
		}
		// The victim, signed in to the portal, is lured to the login step.
		victim := browserFor(t)
		done(t)(victim.PostForm(w.base+"/signin", url.Values{"email": {"uma@acme.example"}, "password": {appPassword}, "next": {"/"}}))
		done(t)(victim.Get(w.base + loginURL))
		// The attacker fetches the code from the callback: refused.
		resp, body := done(t)(attacker.Get(w.base + "/oidc/authorize/callback?id=" + url.QueryEscape(id)))
		if strings.Contains(resp.Header.Get("Location"), "code=") || resp.StatusCode != http.StatusNotFound ||
			!strings.Contains(body, "start again") {
			t.Fatalf("the attacker got %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		// Another person signed in cannot take the finished sign-in over.
		other := browserFor(t)
		done(t)(other.PostForm(w.base+"/signin", url.Values{"email": {"otto@acme.example"}, "password": {appPassword}, "next": {"/"}}))
		if resp, body := done(t)(other.Get(w.base + loginURL)); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "start again") {
			t.Fatalf("a second person at a finished sign-in: %d\n%s", resp.StatusCode, body)
		}

		// One code, eight exchanges at once: one wins.
		v2 := oauth2.GenerateVerifier()
		q, _, _ := w.signIn(rp.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v2)), "otto@acme.example")
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := rp.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v2)); err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d exchanges of one code succeeded", won)
		}

		// prompt=none without a portal session: login_required, at once.
		q, _, _ = w.signIn(rp.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("prompt", "none")), "")
		if q.Get("error") != "login_required" || q.Get("state") != "st" {
			t.Fatalf("prompt=none: %v", q)
		}
		// One company scope at most.
		two := w.relyingParty(w.clientID, w.secret, "company:"+w.company.ID, "company:other")
		if q, _, _ := w.signIn(two.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v)), "otto@acme.example"); q.Get("error") != "invalid_scope" {
			t.Fatalf("two company scopes: %v", q)
		}
	})
}

// TestAppSignIn_FreshSignIn: prompt=login, or a max_age the portal sign-in
// is older than, sends a signed-in person to sign in again; the ID token's
// auth_time is when the person signed in. R-APP-2
func TestAppSignIn_FreshSignIn(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		w := startSiteWorld(t, d)
		rp := w.relyingParty(w.clientID, w.secret)
		for _, opt := range []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "30")} {
			b := browserFor(t)
			done(t)(b.PostForm(w.base+"/signin", url.Values{"email": {"otto@acme.example"}, "password": {appPassword}, "next": {"/"}}))
			w.clock.Add(time.Minute)
			v := oauth2.GenerateVerifier()
			resp, _ := done(t)(b.Get(rp.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v), opt)))
			if resp.Request.URL.Path != "/signin" {
				t.Fatalf("a stale sign-in was not asked again: %d at %s (%s)", resp.StatusCode, resp.Request.URL, resp.Header.Get("Location"))
			}
			again := w.clock.Now()
			resp, _ = done(t)(b.PostForm(w.base+"/signin", url.Values{"email": {"otto@acme.example"}, "password": {appPassword},
				"next": {resp.Request.URL.Query().Get("next")}}))
			u, _ := url.Parse(resp.Header.Get("Location"))
			tok, err := rp.oauth.Exchange(context.Background(), u.Query().Get("code"), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatalf("after signing in again: %v (%s)", err, resp.Header.Get("Location"))
			}
			raw, _ := tok.Extra("id_token").(string)
			id, err := rp.provider.Verifier(&oidc.Config{ClientID: w.clientID}).Verify(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				AuthTime int64 `json:"auth_time"`
			}
			if err := id.Claims(&c); err != nil || c.AuthTime != again.Unix() {
				t.Fatalf("auth_time %d, want %d (%v)", c.AuthTime, again.Unix(), err)
			}
		}
	})
}

// TestAppSignIn_NarrowRefresh: a refresh asking for fewer scopes narrows
// that access token only; the refresh token keeps its own (RFC 6749
// section 6). R-APP-2
func TestAppSignIn_NarrowRefresh(t *testing.T) {
	w := startSiteWorld(t, storetest.SQLite)
	rp := w.relyingParty(w.clientID, w.secret)
	tok, _ := w.login(rp, "uma@acme.example")
	req, _ := http.NewRequest(http.MethodPost, w.base+"/oidc/token", strings.NewReader(url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok.RefreshToken}, "scope": {"openid"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(w.clientID), url.QueryEscape(w.secret))
	resp, body := done(t)(http.DefaultClient.Do(req))
	var narrow struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal([]byte(body), &narrow); err != nil || resp.StatusCode != http.StatusOK || narrow.RefreshToken == "" {
		t.Fatalf("narrow refresh: %d %s", resp.StatusCode, body)
	}
	wide, err := rp.refresh(narrow.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	info, err := rp.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(wide))
	if err != nil || info.Email != "uma@acme.example" {
		t.Fatalf("the refresh token lost its email scope: %+v %v", info, err)
	}
}
