package api_test

import (
	"net/http"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSCIMTokens_Lifecycle: a customer's administrator creates tokens for
// its identity provider and for its site's application; each secret is
// shown once, a rotation gives a new one, a revocation ends it; the
// group-to-role mapping refuses a role the organisation cannot hold, and
// the site's link view lists the site's users. R-APP-1 R-APP-4
func TestSCIMTokens_Lifecycle(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		org := "/orgs/" + e.ids["customer"]
		tok := e.must(http.MethodPost, org+"/scim-tokens", "carol", map[string]any{"name": "Entra ID"}, 201)
		if s, _ := tok["token"].(string); len(s) < 20 {
			t.Fatalf("the new token shows no secret: %v", tok)
		}
		list := e.must(http.MethodGet, org+"/scim-tokens", "carol", nil, 200)["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["token"] != nil || list[0].(map[string]any)["name"] != "Entra ID" {
			t.Fatalf("the list: %v", list)
		}
		rot := e.must(http.MethodPost, "/scim-tokens/"+tok["id"].(string)+"/rotate", "carol", nil, 200)
		if rot["token"] == tok["token"] || rot["token"] == nil {
			t.Fatalf("rotation kept the secret: %v", rot)
		}
		// Only administrators connect the identity provider.
		e.must(http.MethodPost, org+"/scim-tokens", "uma", map[string]any{"name": "mine"}, 403)
		// Another organisation's tokens are not found (R-ORG-1).
		e.must(http.MethodDelete, "/scim-tokens/"+tok["id"].(string), "cara", nil, 404)
		e.must(http.MethodDelete, "/scim-tokens/"+tok["id"].(string), "carol", nil, 200)
		e.must(http.MethodPost, "/scim-tokens/"+tok["id"].(string)+"/rotate", "carol", nil, 422)

		// The group-to-role mapping.
		if p := e.must(http.MethodPut, org+"/group-roles", "carol", map[string]any{"mappings": []any{
			map[string]any{"group": "IT admins", "role": "partner_admin"}}}, 422); p["rule"] != "R-ROLE-3" {
			t.Fatalf("a partner role for a customer's group: %v", p)
		}
		got := e.must(http.MethodPut, org+"/group-roles", "carol", map[string]any{"mappings": []any{
			map[string]any{"group": "IT admins", "role": "customer_admin"}}}, 200)["mappings"].([]any)
		if len(got) != 1 || got[0].(map[string]any)["role"] != "customer_admin" {
			t.Fatalf("mapping: %v", got)
		}

		// The site's application: a token, and the link view.
		site := "/sites/" + e.ids["site"]
		e.must(http.MethodPost, site+"/scim-tokens", "carol", map[string]any{"name": "acme-prod web portal"}, 201)
		e.must(http.MethodPost, site+"/users", "carol", map[string]any{"user_id": e.ids["carol"]}, 201)
		links := e.must(http.MethodGet, site+"/app-links", "carol", nil, 200)
		items := links["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["link"] != "new" || items[0].(map[string]any)["name"] == "" {
			t.Fatalf("app links: %v", links)
		}
		e.must(http.MethodGet, site+"/app-links", "uma", nil, 403)
	})
}
