package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestOperations checks /healthz, /readyz and /metrics, the invitation
// page, and that Serve stops gracefully when its context ends.
func TestOperations(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig(), ShutdownTimeout: 5 * time.Second}
		s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Serve(ctx, ln) }()
		base := "http://" + ln.Addr().String()

		get := func(path string) (int, string) {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		for path, want := range map[string]string{
			"/healthz": "ok", "/readyz": "ready", "/invitations/inv_x": "Set a password", "/password-resets/rst_x": "Choose a new password",
			"/metrics": "provisio_http_requests_total",
		} {
			if status, body := get(path); status != 200 || !strings.Contains(body, want) {
				t.Errorf("GET %s: %d %q", path, status, body)
			}
		}
		// An unknown invitation is refused with the rule, not a 500 (R-USER-4).
		resp, err := http.PostForm(base+"/invitations/inv_unknown", map[string][]string{"password": {"long enough password"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.Contains(string(b), "R-USER-4") {
			t.Errorf("unknown invitation: %d %s", resp.StatusCode, b)
		}
		// So is an unknown reset link.
		resp, err = http.PostForm(base+"/password-resets/rst_unknown", map[string][]string{"password": {"long enough passphrase"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.Contains(string(b), "R-USER-4") {
			t.Errorf("unknown reset link: %d %s", resp.StatusCode, b)
		}

		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop")
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Fatal("still answering after shutdown")
		}
	})
}
