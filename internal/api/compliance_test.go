package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// TestCompliance_API: the report as JSON and CSV, each finding with its
// rule and fix. R-AUDIT-2
func TestCompliance_API(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		r := e.must(http.MethodGet, "/compliance?org_id="+e.ids["customer"], "carol", nil, 200)
		found := false
		for _, f := range r["findings"].([]any) {
			m := f.(map[string]any)
			if m["kind"] == "single_administrator" && m["rule"] == "R-ROLE-5" && m["fix_link"] == "/orgs/"+e.ids["customer"] {
				found = true
			}
		}
		if !found {
			t.Fatalf("Acme's single administrator is not in the report: %v", r)
		}
		status, body, ctype := e.send(http.MethodGet, "/compliance/export?org_id="+e.ids["customer"], "carol", nil)
		if status != 200 || ctype != "text/csv; charset=utf-8" || !bytes.Contains(body, []byte("single_administrator,R-ROLE-5,customer")) {
			t.Fatalf("CSV: %d %s %s", status, ctype, body)
		}
		e.must(http.MethodGet, "/compliance", "uma", nil, 403)
		// R-NOTE-2: everyone reads the notices addressed to them.
		if items := e.must(http.MethodGet, "/me/notifications", "carol", nil, 200)["items"].([]any); len(items) == 0 {
			t.Fatal("carol has no notifications")
		}
	})
}
