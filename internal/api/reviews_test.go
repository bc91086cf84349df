package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// TestReviewAPI: an operator opens a campaign; the customer's
// administrator reads the review (users, sites, findings), takes one user
// off the site with a comment and confirms the rest; the review is
// complete, and its evidence exports as CSV and JSON (R-AUDIT-3).
func TestReviewAPI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		e.must(http.MethodPost, "/sites/"+e.ids["site"]+"/users", "carol", map[string]any{"user_id": e.ids["uma"]}, 201)
		if st, _ := e.call(http.MethodPost, "/campaigns", "carol", map[string]any{}); st != http.StatusForbidden {
			t.Fatalf("a customer opens a campaign: %d", st)
		}
		c := e.must(http.MethodPost, "/campaigns", "op", map[string]any{"name": "Year-end review", "org_ids": []string{e.ids["customer"]}}, 201)
		reviews := e.must(http.MethodGet, "/reviews", "carol", nil, 200)["items"].([]any)
		if len(reviews) != 1 {
			t.Fatalf("carol's reviews: %v", reviews)
		}
		id := reviews[0].(map[string]any)["id"].(string)
		rv := e.must(http.MethodGet, "/reviews/"+id, "carol", nil, 200)
		var uma map[string]any
		for _, u := range rv["users"].([]any) {
			if u.(map[string]any)["user_id"] == e.ids["uma"] {
				uma = u.(map[string]any)
			}
		}
		if uma == nil || len(uma["sites"].([]any)) != 1 || rv["can"].(map[string]any)["decide"] != true {
			t.Fatalf("review: %v", rv)
		}
		if st, out := e.call(http.MethodPost, "/reviews/"+id+"/decisions", "carol", map[string]any{"decisions": []map[string]any{
			{"user_id": e.ids["uma"], "decision": "archive"}}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("an unknown decision: %d %v", st, out)
		}
		r := e.must(http.MethodPost, "/reviews/"+id+"/decisions", "carol", map[string]any{"decisions": []map[string]any{
			{"user_id": e.ids["uma"], "decision": "unassign", "comment": "=moved to sales"}}, "confirm_rest": true}, 200)
		if r["state"] != "completed" || r["decided"] != r["users"] {
			t.Fatalf("after deciding: %v", r)
		}
		status, csv, ctype := e.send(http.MethodGet, "/campaigns/"+c["id"].(string)+"/export", "carol", nil)
		if status != 200 || !strings.HasPrefix(ctype, "text/csv") || !strings.Contains(string(csv), "organisation,review_state,user") ||
			!strings.Contains(string(csv), "'=moved to sales") || !strings.Contains(string(csv), ",unassign,") {
			t.Fatalf("CSV export: %d %s\n%s", status, ctype, csv)
		}
		status, raw, ctype := e.send(http.MethodGet, "/campaigns/"+c["id"].(string)+"/export?format=json", "op", nil)
		var ev struct {
			Decisions []struct {
				UserEmail string          `json:"user_email"`
				Decision  string          `json:"decision"`
				DecidedBy string          `json:"decided_by"`
				UserThen  json.RawMessage `json:"user_then"`
			} `json:"decisions"`
		}
		if status != 200 || !strings.HasPrefix(ctype, "application/json") || json.Unmarshal(raw, &ev) != nil || len(ev.Decisions) < 2 {
			t.Fatalf("JSON export: %d %s %s", status, ctype, raw)
		}
		for _, x := range ev.Decisions {
			if x.DecidedBy == "" || !strings.Contains(string(x.UserThen), x.UserEmail) {
				t.Fatalf("evidence record: %+v", x)
			}
		}
		if st, _ := e.call(http.MethodGet, "/campaigns/"+c["id"].(string)+"/export", "cara", nil); st != http.StatusNotFound {
			t.Fatalf("another tenant exports: %d", st)
		}
	})
}
