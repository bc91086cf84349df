package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store/storetest"
)

const password = "a long enough password"

// env is a server over HTTP with a cast of signed-in users.
type env struct {
	t     testing.TB
	srv   *server.Server
	url   string
	dbURL string
	tok   map[string]string // persona → API token
	ids   map[string]string // name → id
}

func newEnv(t testing.TB, d storetest.Dialect) *env {
	t.Helper()
	dbURL := storetest.URL(t, d)
	cfg := server.Config{DatabaseURL: dbURL, App: app.DefaultConfig()}
	cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	cfg.App.MFAFor = nil
	s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	e := &env{t: t, srv: s, url: hs.URL, dbURL: dbURL, tok: map[string]string{}, ids: map[string]string{}}

	_, link, err := s.App.Bootstrap(context.Background(), "Vendor", "olivia@vendor.example", "Olivia Operator")
	if err != nil {
		t.Fatal(err)
	}
	e.signIn("op", "olivia@vendor.example", tokenOf(link))
	for _, p := range []struct{ name, kind, partner string }{
		{"partner", "partner", ""}, {"partner2", "partner", ""},
		{"customer", "customer", "partner"}, {"customer2", "customer", "partner2"},
	} {
		body := map[string]any{"kind": p.kind, "name": p.name}
		if p.partner != "" {
			body["partner_id"] = e.ids[p.partner]
		}
		e.ids[p.name] = e.must(http.MethodPost, "/orgs", "op", body, 201)["id"].(string)
	}
	e.user("op", "carol", "customer", "customer_admin")
	e.user("op", "cara", "customer2", "customer_admin")
	e.user("op", "paula", "partner", "partner_admin")
	e.user("carol", "uma", "customer", "customer_user")
	e.ids["site"] = e.must(http.MethodPost, "/sites", "op", map[string]any{"customer_id": e.ids["customer"],
		"name": "acme-prod", "edition": "standard", "company": "Acme Ltd"}, 201)["id"].(string)
	return e
}

var tokenRE = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]+)`)

func tokenOf(link string) string { return tokenRE.FindStringSubmatch(link)[1] }

// user invites name@<org>.example through by, registers it and signs it in.
func (e *env) user(by, name, org string, roles ...string) {
	e.t.Helper()
	email := name + "@" + org + ".example"
	out := e.must(http.MethodPost, "/users", by, map[string]any{"org_id": e.ids[org], "email": email,
		"name": strings.ToUpper(name[:1]) + name[1:] + " Example", "roles": roles}, 201)
	e.ids[name] = out["user"].(map[string]any)["id"].(string)
	mail := e.must(http.MethodGet, "/mail?kind=invitation&to="+email, "op", nil, 200)
	items := mail["items"].([]any)
	body := items[len(items)-1].(map[string]any)["body"].(string)
	e.signIn(name, email, tokenOf(body))
}

func (e *env) signIn(persona, email, invitation string) {
	e.t.Helper()
	e.must(http.MethodPost, "/invitations/accept", "", map[string]any{"token": invitation, "password": password}, 200)
	e.tok[persona] = e.must(http.MethodPost, "/tokens", "", map[string]any{"email": email, "password": password}, 201)["token"].(string)
}

// send sends a request as persona and returns the answer's status, body
// and content type, whatever they are.
func (e *env) send(method, path, persona string, body any) (int, []byte, string) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+"/api/v1"+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if persona != "" {
		req.Header.Set("Authorization", "Bearer "+e.tok[persona])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header.Get("Content-Type")
}

// call sends a request as persona and returns the status and decoded
// body, which must be JSON, and a problem document for an error.
func (e *env) call(method, path, persona string, body any) (int, map[string]any) {
	e.t.Helper()
	status, raw, ctype := e.send(method, path, persona, body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("%s %s: not JSON (%d): %s", method, path, status, raw)
		}
	}
	if status >= 400 && ctype != "application/problem+json" {
		e.t.Fatalf("%s %s: error with content type %q", method, path, ctype)
	}
	return status, out
}

func (e *env) must(method, path, persona string, body any, want int) map[string]any {
	e.t.Helper()
	status, out := e.call(method, path, persona, body)
	if status != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d: %v", method, path, persona, status, want, out)
	}
	return out
}

// changes counts the rows a refused request must not have added.
func (e *env) changes() (audit, notices int) {
	e.t.Helper()
	db := e.srv.DB.SQL()
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&audit); err != nil {
		e.t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM notices`).Scan(&notices); err != nil {
		e.t.Fatal(err)
	}
	return audit, notices
}

// TestBadInput checks that every refusal is a 4xx problem naming its rule,
// and that it leaves no audit entry or notice behind.
// R-USER-1 R-USER-2 R-ORG-1 R-ASSIGN-1 R-ROLE-5 R-SITE-2 R-ROLE-1 R-NOTE-1
func TestBadInput(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		e.user("carol", "lou", "customer", "customer_user")
		e.must(http.MethodPost, "/users/"+e.ids["lou"]+"/lock", "carol", nil, 200)
		e.must(http.MethodPost, "/users", "carol", map[string]any{"org_id": e.ids["customer"],
			"email": "ivy@customer.example", "name": "Ivy Invited", "roles": []string{"customer_user"}}, 201)
		ivy := e.must(http.MethodGet, "/users?q=ivy&org_id="+e.ids["customer"], "carol", nil, 200)["items"].([]any)[0].(map[string]any)["id"].(string)
		newUser := func(email string) map[string]any {
			return map[string]any{"org_id": e.ids["customer"], "email": email, "name": "Someone Real", "roles": []string{"customer_user"}}
		}
		cases := []struct {
			name, method, path, as string
			body                   any
			status                 int
			rule                   string
		}{
			{"MalformedEmail", http.MethodPost, "/users", "carol", newUser("not-an-email"), 400, "R-USER-1"},
			{"DisposableDomain", http.MethodPost, "/users", "carol", newUser("someone@mailinator.com"), 422, "R-USER-2"},
			{"DisposableSubdomain", http.MethodPost, "/users", "carol", newUser("someone@x.yopmail.com"), 422, "R-USER-2"},
			{"DuplicateEmailOtherCase", http.MethodPost, "/users", "carol", newUser("  UMA@Customer.Example "), 409, "R-USER-1"},
			{"UnknownUser", http.MethodGet, "/users/usr_unknown", "carol", nil, 404, "R-ORG-1"},
			{"OtherTenantsUser", http.MethodGet, "/users/" + e.ids["cara"], "carol", nil, 404, "R-ORG-1"},
			{"OtherTenantsUserLock", http.MethodPost, "/users/" + e.ids["cara"] + "/lock", "carol", nil, 404, "R-ORG-1"},
			{"OtherTenantsOrg", http.MethodGet, "/orgs/" + e.ids["customer2"], "paula", nil, 404, "R-ORG-1"},
			{"OtherTenantsSite", http.MethodGet, "/sites/" + e.ids["site"], "cara", nil, 404, "R-ORG-1"},
			{"OtherTenantsSiteAssign", http.MethodPost, "/sites/" + e.ids["site"] + "/users", "cara", map[string]any{"user_id": e.ids["cara"]}, 404, "R-ORG-1"},
			{"UnknownSite", http.MethodPost, "/sites/site_nope/suspend", "op", map[string]any{"reason": "x", "until": "2099-01-01"}, 404, "R-ORG-1"},
			{"AssignInvitedUser", http.MethodPost, "/sites/" + e.ids["site"] + "/users", "carol", map[string]any{"user_id": ivy}, 422, "R-ASSIGN-1"},
			{"AssignLockedUser", http.MethodPost, "/sites/" + e.ids["site"] + "/users", "carol", map[string]any{"user_id": e.ids["lou"]}, 422, "R-ASSIGN-1"},
			{"DeleteLastAdmin", http.MethodDelete, "/users/" + e.ids["carol"], "op", nil, 422, "R-ROLE-5"},
			{"DemoteLastAdmin", http.MethodPatch, "/users/" + e.ids["carol"], "op", map[string]any{"roles": []string{"customer_user"}}, 422, "R-ROLE-5"},
			{"LockLastAdmin", http.MethodPost, "/users/" + e.ids["cara"] + "/lock", "op", nil, 422, "R-ROLE-5"},
			{"IllegalSiteTransition", http.MethodPost, "/sites/" + e.ids["site"] + "/restore", "op", nil, 422, "R-SITE-2"},
			{"ResumeReadySite", http.MethodPost, "/sites/" + e.ids["site"] + "/resume", "op", nil, 422, "R-SITE-2"},
			{"OperatorAddsUserToSite", http.MethodPost, "/sites/" + e.ids["site"] + "/users", "op", map[string]any{"user_id": e.ids["uma"]}, 403, "R-ROLE-1"},
			{"SuspendWithoutReason", http.MethodPost, "/sites/" + e.ids["site"] + "/suspend", "op", map[string]any{"reason": " ", "until": "2099-01-01"}, 400, "R-SITE-1"},
			{"PartnerMakesCustomerLogin", http.MethodPost, "/users", "paula", newUser("pete@customer.example"), 422, "R-ROLE-3"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.t = t
				a0, n0 := e.changes()
				status, p := e.call(c.method, c.path, c.as, c.body)
				if status != c.status || p["rule"] != c.rule {
					t.Fatalf("status %d rule %v, want %d %s: %v", status, p["rule"], c.status, c.rule, p)
				}
				if detail, _ := p["detail"].(string); !strings.HasPrefix(detail, c.rule+": ") {
					t.Fatalf("detail does not name the rule: %q", detail)
				}
				if a1, n1 := e.changes(); a1 != a0 || n1 != n0 {
					t.Fatalf("refused request left %d audit entries and %d notices behind", a1-a0, n1-n0)
				}
			})
		}
	})
}
