package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// TestOIDCSettings sets up an organisation's identity provider over the
// API: its administrators may, the secret never comes back, and other
// tenants get "not found" (R-ORG-1).
func TestOIDCSettings(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		path := "/orgs/" + e.ids["customer"] + "/oidc"
		e.must(http.MethodGet, path, "carol", nil, 404)
		body := map[string]any{"issuer": "https://id.customer.example", "client_id": "provisio",
			"client_secret": "never-shown", "allowed_domains": []string{"Customer.example"}}
		e.must(http.MethodPut, path, "uma", body, 403)
		e.must(http.MethodPut, path, "cara", body, 404)
		put := e.must(http.MethodPut, path, "carol", body, 200)
		got := e.must(http.MethodGet, path, "op", nil, 200)
		for _, out := range []map[string]any{put, got} {
			if out["client_secret_set"] != true || out["client_id"] != "provisio" ||
				out["sign_in_url"] != strings.TrimSuffix(e.srv.App.Config().BaseURL, "/")+"/auth/oidc/"+e.ids["customer"]+"/start" {
				t.Fatalf("provider: %v", out)
			}
			if ds := out["allowed_domains"].([]any); len(ds) != 1 || ds[0] != "customer.example" {
				t.Fatalf("domains: %v", ds)
			}
			if _, ok := out["client_secret"]; ok {
				t.Fatalf("the secret came back: %v", out)
			}
		}
		// The claimed domain waits for its proof: the DNS record to publish,
		// or an operator's approval.
		doms := e.must(http.MethodGet, path+"/domains", "carol", nil, 200)["items"].([]any)
		if len(doms) != 1 || doms[0].(map[string]any)["verified"] != false ||
			!strings.HasPrefix(doms[0].(map[string]any)["txt_value"].(string), "provisio-domain-verification=") {
			t.Fatalf("claimed domains: %v", doms)
		}
		if v := e.must(http.MethodPost, path+"/domains/customer.example/verify", "op", nil, 200); v["verified"] != true {
			t.Fatalf("approved: %v", v)
		}
		bad := map[string]any{"issuer": "http://id.customer.example", "client_id": "provisio", "allowed_domains": []string{"customer.example"}}
		if _, p := e.call(http.MethodPut, path, "carol", bad); p["status"] != float64(400) {
			t.Fatalf("plain http issuer: %v", p)
		}
	})
}
