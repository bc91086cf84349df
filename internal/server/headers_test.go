package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSecurityHeaders: every page and API answer carries the security
// headers (no inline script, no framing, no sniffing, same-origin
// referrer, no caching), HSTS when the portal is on https, and the hashed
// static assets stay cacheable.
func TestSecurityHeaders(t *testing.T) {
	for _, base := range []string{"http://localhost:8080", "https://portal.example"} {
		cfg := server.Config{DatabaseURL: storetest.URL(t, store.SQLite), App: app.DefaultConfig()}
		cfg.App.BaseURL = base
		s := open(t, cfg)
		get := func(path string) *http.Response {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			return rec.Result()
		}
		signin := get("/signin")
		asset := regexp.MustCompile(`/static/[^"]+\.css`).FindString(readAll(t, signin))
		for _, path := range []string{"/signin", "/api/v1/me", "/api/v1/openapi.json", "/nowhere", "/invitations/inv_x"} {
			h := get(path).Header
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") ||
				!strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s %s: Content-Security-Policy %q", base, path, csp)
			}
			for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
				"Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
				if got := h.Get(name); got != want {
					t.Errorf("%s %s: %s %q, want %q", base, path, name, got, want)
				}
			}
			if hsts := h.Get("Strict-Transport-Security"); (hsts != "") != strings.HasPrefix(base, "https://") {
				t.Errorf("%s %s: Strict-Transport-Security %q", base, path, hsts)
			}
		}
		if asset == "" {
			t.Fatal("no stylesheet on the sign-in page")
		}
		if cc := get(asset).Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", asset, cc)
		}
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
