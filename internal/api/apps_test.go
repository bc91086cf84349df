package api_test

import (
	"net/http"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// TestApps_Lifecycle: a customer's administrator registers the site's
// applications: a confidential one gets a secret shown once, a public one
// none; a redirect URI that is not exact https is refused naming the
// rule; secrets rotate; removal works; people who do not administer the
// customer cannot. R-APP-2
func TestApps_Lifecycle(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		site := "/sites/" + e.ids["site"]
		web := e.must(http.MethodPost, site+"/apps", "carol", map[string]any{"name": "acme-prod web portal",
			"redirect_uris": []string{"https://portal.acme.example/cb"}}, 201)
		if s, _ := web["client_secret"].(string); len(s) < 20 || web["issuer"] == "" {
			t.Fatalf("the new application: %v", web)
		}
		desk := e.must(http.MethodPost, site+"/apps", "carol", map[string]any{"name": "acme desktop", "public": true,
			"redirect_uris": []string{"http://127.0.0.1:7777/cb"}}, 201)
		if desk["client_secret"] != nil {
			t.Fatalf("a public application got a secret: %v", desk)
		}
		if p := e.must(http.MethodPost, site+"/apps", "carol", map[string]any{"name": "bad",
			"redirect_uris": []string{"http://portal.acme.example/cb"}}, 400); p["rule"] != "R-APP-2" {
			t.Fatalf("an http redirect URI: %v", p)
		}
		list := e.must(http.MethodGet, site+"/apps", "carol", nil, 200)["items"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["client_secret"] != nil {
			t.Fatalf("the list: %v", list)
		}
		rot := e.must(http.MethodPost, "/apps/"+web["client_id"].(string)+"/rotate-secret", "carol", nil, 200)
		if rot["client_secret"] == web["client_secret"] || rot["client_secret"] == nil {
			t.Fatalf("rotation: %v", rot)
		}
		e.must(http.MethodPost, "/apps/"+desk["client_id"].(string)+"/rotate-secret", "carol", nil, 422)
		e.must(http.MethodPost, site+"/apps", "uma", map[string]any{"name": "mine", "redirect_uris": []string{"https://x.example/cb"}}, 403)
		e.must(http.MethodDelete, "/apps/"+desk["client_id"].(string), "cara", nil, 404)
		e.must(http.MethodDelete, "/apps/"+desk["client_id"].(string), "carol", nil, 204)
		if n := len(e.must(http.MethodGet, site+"/apps", "carol", nil, 200)["items"].([]any)); n != 1 {
			t.Fatalf("%d applications after removing one of two", n)
		}
	})
}
