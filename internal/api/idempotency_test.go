package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// hangUp is a response writer whose client goes away as the answer
// starts: it cancels the request's context on the first header write,
// after the handler's work has committed.
type hangUp struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (h hangUp) WriteHeader(code int) { h.cancel(); h.ResponseRecorder.WriteHeader(code) }

// TestIdempotencyKey_ClientGoneAfterCommit: a client that disconnects once
// its POST has done its work does not leave the key "still running": the
// answer is stored, and the retry gets it without running again.
func TestIdempotencyKey_ClientGoneAfterCommit(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		b, _ := json.Marshal(map[string]any{"org_id": e.ids["customer"], "email": "gone@customer.example",
			"name": "Gone Early", "roles": []string{"customer_user"}})
		newReq := func(ctx context.Context) *http.Request {
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/v1/users", strings.NewReader(string(b)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.tok["carol"])
			req.Header.Set("Idempotency-Key", "k-gone")
			return req
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		first := hangUp{ResponseRecorder: httptest.NewRecorder(), cancel: cancel}
		e.srv.Handler().ServeHTTP(first, newReq(ctx))
		if first.Code != http.StatusCreated {
			t.Fatalf("first: %d %s", first.Code, first.Body)
		}
		retry := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(retry, newReq(context.Background()))
		if retry.Code != http.StatusCreated || retry.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %q %s", retry.Code, retry.Header().Get("Idempotent-Replayed"), retry.Body)
		}
		if retry.Body.String() != first.Body.String() {
			t.Fatalf("the retry answered differently:\n%s\n%s", first.Body, retry.Body)
		}
	})
}

// TestIdempotencyKey_NoSecretsStored: operations whose answers hold a
// secret (API and session tokens, an authenticator's secret, recovery
// codes, a webhook's key) refuse Idempotency-Key, so no secret is ever
// stored for replay; no stored answer holds a token.
func TestIdempotencyKey_NoSecretsStored(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		for path, body := range map[string]any{
			"/tokens":   map[string]any{"email": "carol@customer.example", "password": password},
			"/session":  map[string]any{"email": "carol@customer.example", "password": password},
			"/mfa/totp": nil,
			"/webhooks": map[string]any{"org_id": e.ids["customer"], "url": "http://127.0.0.1:9/hook"},
		} {
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest(http.MethodPost, e.url+"/api/v1"+path, strings.NewReader(string(b)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.tok["carol"])
			req.Header.Set("Idempotency-Key", "k-"+path)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("POST %s with Idempotency-Key: %d, want 400", path, resp.StatusCode)
			}
		}
		var stored int
		if err := e.srv.DB.SQL().QueryRow(`SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE '%pvt_%' OR body LIKE '%pvs_%' OR body LIKE '%secret%'`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != 0 {
			t.Fatalf("%d stored answers hold a secret", stored)
		}
	})
}
