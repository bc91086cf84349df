package server_test

import (
	"context"
	"io"
	"log/slog"
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

// TestMetrics_RouteLabels: requests are counted by the route pattern that
// served them, inside the API and the web UI too, with placeholders
// instead of ids; anything no route serves counts as "unmatched", so the
// label set stays bounded whatever paths clients try.
func TestMetrics_RouteLabels(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig()}
		s := open(t, cfg)
		hs := httptest.NewServer(s.Handler())
		defer hs.Close()
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		get := func(path string) string {
			resp, err := client.Get(hs.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		for _, path := range []string{"/api/v1/users/usr_rawid1", "/api/v1/sites/sit_rawid2/access", "/users/usr_rawid3",
			"/invitations/inv_rawid4", "/api/v1/no/such/rawid5", "/no/such/rawid6"} {
			get(path)
		}
		routes := map[string]bool{}
		for _, m := range regexp.MustCompile(`provisio_http_requests_total\{[^}]*route="([^"]*)"`).FindAllStringSubmatch(get("/metrics"), -1) {
			routes[m[1]] = true
		}
		for _, want := range []string{"/api/v1/users/{id}", "/api/v1/sites/{id}/access", "/users/{id}", "/invitations/{token}", "unmatched"} {
			if !routes[want] {
				t.Errorf("no route label %q in %v", want, routes)
			}
		}
		for r := range routes {
			if strings.Contains(r, "rawid") {
				t.Errorf("route label %q carries a raw path", r)
			}
		}
	})
}

// TestRequestLog_NoLinkSecrets: the request log keeps the paths of emailed
// links without their secret part (invitations, password resets, email
// changes, partner access answers).
func TestRequestLog_NoLinkSecrets(t *testing.T) {
	var logs strings.Builder
	cfg := server.Config{DatabaseURL: storetest.URL(t, store.SQLite), App: app.DefaultConfig()}
	s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, path := range []string{"/invitations/inv_SECRET1", "/password-resets/rst_SECRET2", "/email-changes/eml_SECRET3",
		"/access/acc_SECRET4", "/api/v1/users/usr_kept"} {
		s.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	if strings.Contains(logs.String(), "SECRET") || !strings.Contains(logs.String(), "/invitations/…") ||
		!strings.Contains(logs.String(), "usr_kept") {
		t.Fatalf("request log:\n%s", logs.String())
	}
}
