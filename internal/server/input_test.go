package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestNUL_Refused: a NUL character in a path id, a query, a JSON body or a
// form is refused with 400 naming the field, before it can reach the
// database (PostgreSQL answered 500); oversized bodies are refused too.
func TestNUL_Refused(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		s := open(t, server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig()})
		for _, c := range []struct {
			name, method, path, ctype, body, field string
			status                                 int
		}{
			{"PathID", http.MethodGet, "/api/v1/users/%00", "", "", "path", 400},
			{"Query", http.MethodGet, "/api/v1/users?q=a%00b", "", "", "q", 400},
			{"PathNotUTF8", http.MethodDelete, "/api/v1/sessions/%9D%CE%E8", "", "", "path", 400},
			{"QueryNotUTF8", http.MethodGet, "/api/v1/users?q=%ff%fe", "", "", "q", 400},
			{"JSONField", http.MethodPost, "/api/v1/session", "application/json", `{"email":"a\u0000b@x.example","password":"x"}`, "email", 400},
			{"JSONList", http.MethodPost, "/api/v1/users", "application/json", `{"roles":["customer_user","x\u0000"]}`, "roles[1]", 400},
			{"Form", http.MethodPost, "/signin", "application/x-www-form-urlencoded", "email=a%00b%40x.example&password=x", "email", 400},
			{"TooLarge", http.MethodPost, "/api/v1/session", "application/json", `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, "body", 413},
		} {
			t.Run(c.name, func(t *testing.T) {
				req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
				if c.ctype != "" {
					req.Header.Set("Content-Type", c.ctype)
				}
				rec := httptest.NewRecorder()
				s.Handler().ServeHTTP(rec, req)
				if rec.Code != c.status {
					t.Fatalf("%d, want %d: %s", rec.Code, c.status, rec.Body)
				}
				if strings.HasPrefix(c.path, "/api/") {
					var p struct{ Field, Detail string }
					if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Field != c.field {
						t.Fatalf("field %q, want %q (%v): %s", p.Field, c.field, err, rec.Body)
					}
				} else if !strings.Contains(rec.Body.String(), c.field) {
					t.Fatalf("the page does not name %s: %s", c.field, rec.Body)
				}
			})
		}
	})
}
