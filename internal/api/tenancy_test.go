package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// tenancyWorld is the API env with a second tenant (partner2 and its
// customer2) holding one object of every kind an id can name.
type tenancyWorld struct {
	*env
	own, other map[string]string // kind → id: an object of the actor's tenant, and one of the other tenant
}

func newTenancyWorld(t *testing.T, d storetest.Dialect) *tenancyWorld {
	e := newEnv(t, d)
	e.user("paula", "pat", "partner", "partner_agent")
	e.user("op", "peter", "partner2", "partner_admin")
	e.must(http.MethodPost, "/tokens", "", map[string]any{"email": "cara@customer2.example", "password": password}, 201)
	e.must(http.MethodPost, "/session", "", map[string]any{"email": "cara@customer2.example", "password": password}, 201)
	site2 := e.must(http.MethodPost, "/sites", "op", map[string]any{"customer_id": e.ids["customer2"],
		"name": "beta-prod", "edition": "standard", "company": "Beta Ltd"}, 201)["id"].(string)
	req2 := e.must(http.MethodPost, "/sites/"+site2+"/partner-access", "peter", map[string]any{"user_id": e.ids["peter"]}, 201)
	hook2 := e.must(http.MethodPost, "/webhooks", "cara", map[string]any{"org_id": e.ids["customer2"], "url": "http://127.0.0.1:9/hook"}, 201)
	// An accountant of the first tenant, with no organisation of its own.
	e.must(http.MethodPost, "/sites/"+e.ids["site"]+"/accountants", "carol", map[string]any{"email": "alma@ledger.example", "name": "Alma Ledger"}, 201)
	mail := e.must(http.MethodGet, "/mail?kind=accountant_invited&to=alma@ledger.example", "op", nil, 200)["items"].([]any)
	e.signIn("alma", "alma@ledger.example", tokenOf(mail[len(mail)-1].(map[string]any)["body"].(string)))
	first := func(path, persona string) string {
		out := e.must(http.MethodGet, path, persona, nil, 200)
		return out["items"].([]any)[0].(map[string]any)["id"].(string)
	}
	e.must(http.MethodPut, "/orgs/"+e.ids["customer2"]+"/oidc", "cara", map[string]any{"issuer": "https://id.customer2.example",
		"client_id": "c", "allowed_domains": []string{"customer2.example"}}, 200)
	ownHook := e.must(http.MethodPost, "/webhooks", "carol", map[string]any{"org_id": e.ids["customer"], "url": "http://127.0.0.1:9/hook"}, 201)
	ownSCIM := e.must(http.MethodPost, "/orgs/"+e.ids["customer"]+"/scim-tokens", "carol", map[string]any{"name": "Entra ID"}, 201)
	otherSCIM := e.must(http.MethodPost, "/sites/"+site2+"/scim-tokens", "cara", map[string]any{"name": "beta web portal"}, 201)
	ownApp := e.must(http.MethodPost, "/sites/"+e.ids["site"]+"/apps", "carol", map[string]any{"name": "acme portal",
		"redirect_uris": []string{"https://portal.acme.example/cb"}}, 201)
	otherApp := e.must(http.MethodPost, "/sites/"+site2+"/apps", "cara", map[string]any{"name": "beta portal",
		"redirect_uris": []string{"https://portal.beta.example/cb"}}, 201)
	ownCampaign := e.must(http.MethodPost, "/campaigns", "op", map[string]any{}, 201)["id"].(string)
	otherCampaign := e.must(http.MethodPost, "/campaigns", "op", map[string]any{"org_ids": []string{e.ids["customer2"]}}, 201)["id"].(string)
	reviewOf := func(persona string) string {
		return e.must(http.MethodGet, "/reviews", persona, nil, 200)["items"].([]any)[0].(map[string]any)["id"].(string)
	}
	return &tenancyWorld{env: e,
		own: map[string]string{"org": e.ids["customer"], "user": e.ids["uma"], "site": e.ids["site"],
			"company": first("/sites/"+e.ids["site"]+"/companies", "op"), "webhook": ownHook["id"].(string), "domain": "customer.example",
			"scim_token": ownSCIM["id"].(string), "app": ownApp["client_id"].(string),
			"review": reviewOf("carol"), "campaign": ownCampaign},
		other: map[string]string{
			"org": e.ids["customer2"], "partner": e.ids["partner2"], "user": e.ids["cara"], "partner_user": e.ids["peter"],
			"site": site2, "company": first("/sites/"+site2+"/companies", "op"),
			"request": req2["request"].(map[string]any)["id"].(string), "webhook": hook2["id"].(string),
			"token": first("/tokens", "cara"), "session": first("/sessions", "cara"), "notice": first("/mail", "op"),
			"domain": "customer2.example", "scim_token": otherSCIM["id"].(string), "app": otherApp["client_id"].(string),
			"review": reviewOf("cara"), "campaign": otherCampaign,
		}}
}

// kindOfParam tells which kind of object a path parameter names.
func kindOfParam(path, param string) string {
	switch param {
	case "user_id":
		return "user"
	case "customer_id":
		return "org"
	case "domain":
		return "domain"
	}
	first := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")[0]
	return map[string]string{"orgs": "org", "users": "user", "sites": "site", "companies": "company",
		"access-requests": "request", "webhooks": "webhook", "tokens": "token", "sessions": "session", "mail": "notice",
		"scim-tokens": "scim_token", "apps": "app", "reviews": "review", "campaigns": "campaign"}[first]
}

// bodies are valid bodies for the operations that need one, so that the
// only thing wrong with each request is the other tenant's id.
func bodies(w *tenancyWorld) map[string]any {
	return map[string]any{
		"update-org":             map[string]any{"name": "Renamed"},
		"link-partner":           map[string]any{"partner_id": w.ids["partner"]},
		"set-oidc-provider":      map[string]any{"issuer": "https://idp.example", "client_id": "c", "client_secret": "s", "allowed_domains": []string{"customer.example"}},
		"update-user":            map[string]any{"name": "Renamed Person"},
		"suspend-site":           map[string]any{"reason": "maintenance", "until": "2099-01-01"},
		"set-directory":          map[string]any{"url": "ldaps://ldap.customer.example", "bind_dn": "cn=p,dc=c", "bind_password": "x", "base_dn": "ou=people,dc=c"},
		"assign-user":            map[string]any{"user_id": w.own["user"]},
		"create-company":         map[string]any{"name": "New Co"},
		"rename-company":         map[string]any{"name": "New Name"},
		"request-access":         map[string]any{"user_id": w.ids["pat"]},
		"approve-access":         map[string]any{},
		"assign-accountant":      map[string]any{"email": "acc@ledger.example", "name": "Ann Accountant"},
		"create-org-scim-token":  map[string]any{"name": "Okta"},
		"create-site-scim-token": map[string]any{"name": "web portal"},
		"set-group-roles":        map[string]any{"mappings": []any{}},
		"create-app":             map[string]any{"name": "x", "redirect_uris": []string{"https://x.example/cb"}},
		"set-break-glass":        map[string]any{"exempt": true, "reason": "on-call desk"},
	}
}

// raw sends a request as persona and returns the status and the problem's
// detail, whatever the answer's content type.
func (w *tenancyWorld) raw(method, path, persona string, body any) (int, string) {
	w.t.Helper()
	status, raw, _ := w.send(method, path, persona, body)
	var p struct {
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(raw, &p)
	return status, p.Detail
}

var paramRE = regexp.MustCompile(`\{(\w+)\}`)

// TestTenancyMatrix walks every API operation with an id in its path, and
// every id-valued list filter, as each role of one tenant, with the other
// tenant's id in one place at a time: every answer is 404, never 200, 403
// or 5xx, on both databases (R-ORG-1).
func TestTenancyMatrix(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		w := newTenancyWorld(t, d)
		// R-ACCT-2: the accountant sees the site it is assigned to, and
		// only that one.
		w.must(http.MethodGet, "/sites/"+w.own["site"], "alma", nil, 200)
		if items := w.must(http.MethodGet, "/sites", "alma", nil, 200)["items"].([]any); len(items) != 1 {
			t.Fatalf("the accountant lists %d sites, want its 1", len(items))
		}
		resp, err := http.Get(w.url + "/api/v1/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths map[string]map[string]struct {
				OperationID string `json:"operationId"`
			} `json:"paths"`
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		type probe struct{ method, path, op string }
		var probes []probe
		for path, ops := range doc.Paths {
			params := paramRE.FindAllStringSubmatch(path, -1)
			for method, op := range ops {
				for i := range params {
					p := path
					for j, param := range params {
						kind := kindOfParam(path, param[1])
						id := w.own[kind]
						if i == j {
							id = w.other[kind]
						}
						p = strings.Replace(p, param[0], url.PathEscape(id), 1)
					}
					if op.OperationID == "check-access" {
						p += "?user=" + w.own["user"]
					}
					if op.OperationID == "user-access-history" {
						p += "?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z"
					}
					if op.OperationID == "site-access-history" {
						p += "?at=2030-01-01T00:00:00Z"
					}
					probes = append(probes, probe{strings.ToUpper(method), strings.TrimPrefix(p, "/api/v1"), op.OperationID})
				}
			}
		}
		filters := []string{
			"/users?org_id=" + w.other["org"], "/users?org_id=" + w.other["partner"],
			"/sites?customer_id=" + w.other["org"], "/orgs?partner_id=" + w.other["partner"],
			"/compliance?org_id=" + w.other["org"], "/compliance?org_id=" + w.other["partner"],
			"/compliance/export?org_id=" + w.other["org"],
			"/access-requests?site_id=" + w.other["site"], "/access-requests?user_id=" + w.other["partner_user"],
			"/access-requests?user_id=" + w.other["user"],
			"/audit?org_id=" + w.other["org"], "/audit?actor_id=" + w.other["user"], "/audit?object_id=" + w.other["site"],
			"/audit/export?org_id=" + w.other["org"], "/audit/export?actor_id=" + w.other["user"],
			"/audit/export?object_id=" + w.other["user"],
			"/webhooks?org_id=" + w.other["org"],
			"/sites/" + w.own["site"] + "/access?user=" + w.other["user"],
			"/sites/" + w.own["site"] + "/access?user=" + w.own["user"] + "&company=" + w.other["company"],
		}
		for _, f := range filters {
			probes = append(probes, probe{http.MethodGet, f, "filter"})
		}
		sort.Slice(probes, func(i, j int) bool { return probes[i].path+probes[i].method < probes[j].path+probes[j].method })
		body := bodies(w)
		for _, persona := range []string{"carol", "uma", "paula", "pat", "alma"} {
			for _, p := range probes {
				var b any
				if p.method == http.MethodPost || p.method == http.MethodPut || p.method == http.MethodPatch {
					b = body[p.op]
					if b == nil {
						b = map[string]any{}
					}
				}
				if status, detail := w.raw(p.method, p.path, persona, b); status != http.StatusNotFound {
					t.Errorf("%s %s %s (%s): %d, want 404: %s", persona, p.method, p.path, p.op, status, detail)
				}
			}
		}
	})
}
