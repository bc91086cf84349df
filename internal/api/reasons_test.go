package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// TestReasons: consequential operations take an optional reason, which
// the activity log keeps; one too long is refused naming the field.
func TestReasons(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		e.must(http.MethodPost, "/sites/"+e.ids["site"]+"/users", "carol", map[string]any{"user_id": e.ids["uma"]}, 201)
		if st, out := e.call(http.MethodDelete, "/sites/"+e.ids["site"]+"/users/"+e.ids["uma"]+"?reason="+strings.Repeat("x", 501), "carol", nil); st != http.StatusUnprocessableEntity ||
			!strings.Contains(toJSON(out), "query.reason") {
			t.Fatalf("a reason too long: %d %v", st, out)
		}
		e.must(http.MethodDelete, "/sites/"+e.ids["site"]+"/users/"+e.ids["uma"]+"?reason=moved+to+sales", "carol", nil, 204)
		e.must(http.MethodDelete, "/users/"+e.ids["uma"]+"?reason=left+the+company", "carol", nil, 200)
		for action, reason := range map[string]string{"assignment.delete": "moved to sales", "user.delete": "left the company"} {
			items := e.must(http.MethodGet, "/audit?action="+action, "carol", nil, 200)["items"].([]any)
			if len(items) == 0 || !strings.Contains(toJSON(items[len(items)-1]), reason) {
				t.Fatalf("%s: no %q in %v", action, reason, items)
			}
		}
	})
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
