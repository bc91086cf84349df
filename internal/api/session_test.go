package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store/storetest"
)

// rawCall sends a request with optional cookie and bearer, returning the
// response and its decoded body.
func rawCall(t *testing.T, base, method, path, bearer string, cookie *http.Cookie, body any) (*http.Response, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+"/api/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp, out
}

// TestSessionHTTP: sign-in sets a safe cookie, the session survives a
// server restart, sign-out ends it; a partner user must enrol a second
// factor before anything else. R-USER-4 R-PLUS-3
func TestSessionHTTP(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		resp, out := rawCall(t, e.url, "POST", "/session", "", nil, map[string]any{"email": "uma@customer.example", "password": password})
		if resp.StatusCode != 201 {
			t.Fatalf("sign in: %d %v", resp.StatusCode, out)
		}
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "provisio_session" {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
			t.Fatalf("cookie: %+v", cookie)
		}
		// A new server over the same database: the session still works.
		cfg := server.Config{DatabaseURL: e.dbURL, App: app.DefaultConfig()}
		cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
		s2, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		hs2 := httptest.NewServer(s2.Handler())
		defer func() { hs2.Close(); s2.Close() }()
		if resp, out := rawCall(t, hs2.URL, "GET", "/me", "", &http.Cookie{Name: cookie.Name, Value: cookie.Value}, nil); resp.StatusCode != 200 {
			t.Fatalf("after restart: %d %v", resp.StatusCode, out)
		}
		if resp, _ := rawCall(t, hs2.URL, "DELETE", "/session", "", &http.Cookie{Name: cookie.Name, Value: cookie.Value}, nil); resp.StatusCode != 204 {
			t.Fatalf("sign out: %d", resp.StatusCode)
		}
		if resp, _ := rawCall(t, e.url, "GET", "/me", "", &http.Cookie{Name: cookie.Name, Value: cookie.Value}, nil); resp.StatusCode != 401 {
			t.Fatalf("after sign out: %d", resp.StatusCode)
		}

		// Partner users need MFA (the install default, on in s2's config).
		_, out = rawCall(t, hs2.URL, "POST", "/session", "", nil, map[string]any{"email": "paula@partner.example", "password": password})
		tok, _ := out["token"].(string)
		if out["enrol_mfa"] != true || tok == "" {
			t.Fatalf("partner sign-in: %v", out)
		}
		if resp, p := rawCall(t, hs2.URL, "GET", "/orgs", tok, nil, nil); resp.StatusCode != 403 || p["detail"] == nil {
			t.Fatalf("restricted session reached /orgs: %d %v", resp.StatusCode, p)
		}
		_, enr := rawCall(t, hs2.URL, "POST", "/mfa/totp", tok, nil, nil)
		secret, _ := enr["secret"].(string)
		code, _ := totp.GenerateCode(secret, time.Now())
		resp, rec := rawCall(t, hs2.URL, "POST", "/mfa/totp/confirm", tok, nil, map[string]any{"code": code})
		if resp.StatusCode != 200 || len(rec["recovery_codes"].([]any)) != 10 {
			t.Fatalf("confirm: %d %v", resp.StatusCode, rec)
		}
		if resp, _ := rawCall(t, hs2.URL, "GET", "/orgs", tok, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("after enrolment: %d", resp.StatusCode)
		}
		// A token now needs the code; without it the answer says so.
		resp, p := rawCall(t, hs2.URL, "POST", "/tokens", "", nil, map[string]any{"email": "paula@partner.example", "password": password})
		if resp.StatusCode != 401 || p["code"] != "mfa_required" {
			t.Fatalf("token without code: %d %v", resp.StatusCode, p)
		}
	})
}

// TestThrottleHTTP: a lockout answers 429, the same for a known and an
// unknown account.
func TestThrottleHTTP(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		e.srv.App.SetSleep(func(context.Context, time.Duration) {})
		status := func(email string) (int, string) {
			resp, p := rawCall(t, e.url, "POST", "/session", "", nil, map[string]any{"email": email, "password": "wrong wrong wrong"})
			detail, _ := p["detail"].(string)
			return resp.StatusCode, detail
		}
		s1, d1 := status("uma@customer.example")
		s2, d2 := status("nobody@customer.example")
		if s1 != 401 || s1 != s2 || d1 != d2 {
			t.Fatalf("known %d %q, unknown %d %q", s1, d1, s2, d2)
		}
		for range 4 {
			status("uma@customer.example")
		}
		if s, _ := status("uma@customer.example"); s != 429 {
			t.Fatalf("after 5 failures: %d", s)
		}
	})
}
