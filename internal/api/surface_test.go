package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/store/storetest"
)

// TestOpenAPI checks the served document: OpenAPI 3.1, bearer security,
// and every operation of the API present.
func TestOpenAPI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		resp, err := http.Get(e.url + "/api/v1/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc struct {
			OpenAPI string                    `json:"openapi"`
			Paths   map[string]map[string]any `json:"paths"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if doc.OpenAPI != "3.1.0" {
			t.Fatalf("openapi %q", doc.OpenAPI)
		}
		for path, methods := range map[string]string{
			"/api/v1/users": "get post", "/api/v1/users/{id}": "get patch delete", "/api/v1/sites/{id}/access": "get",
			"/api/v1/sites/{id}/users": "get post", "/api/v1/audit/export": "get", "/api/v1/tokens": "get post",
			"/api/v1/orgs/{id}/partner": "put delete", "/api/v1/mail": "get",
		} {
			for _, m := range strings.Fields(methods) {
				if doc.Paths[path][m] == nil {
					t.Errorf("no %s %s in the document", m, path)
				}
			}
		}
	})
}

// TestPagination pages through users by cursor: every user once, in order.
func TestPagination(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		for _, n := range []string{"ann", "ben", "cat", "dov", "eve"} {
			e.must(http.MethodPost, "/users", "carol", map[string]any{"org_id": e.ids["customer"],
				"email": n + "@customer.example", "name": n + " Person", "roles": []string{"customer_user"}}, 201)
		}
		seen, cursor, pages := map[string]bool{}, "", 0
		for {
			out := e.must(http.MethodGet, "/users?limit=2&org_id="+e.ids["customer"]+"&cursor="+cursor, "carol", nil, 200)
			pages++
			for _, it := range out["items"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("user %s listed twice", id)
				}
				seen[id] = true
			}
			next, _ := out["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 7 || pages != 4 { // carol, uma and five more, two a page
			t.Fatalf("%d users over %d pages", len(seen), pages)
		}
	})
}

// TestTokens checks that tokens can be listed and revoked, that a revoked
// token stops working, and that locking a user revokes its tokens.
// R-USER-5
func TestTokens(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		if s, p := e.call(http.MethodGet, "/me", "", nil); s != 401 || p["code"] != "unauthorized" {
			t.Fatalf("no token: %d %v", s, p)
		}
		status, p := e.call(http.MethodPost, "/tokens", "", map[string]any{"email": "uma@customer.example", "password": "wrong password!"})
		_, q := e.call(http.MethodPost, "/tokens", "", map[string]any{"email": "nobody@customer.example", "password": "wrong password!"})
		if status != 401 || p["detail"] != q["detail"] {
			t.Fatalf("bad logins must read alike: %v / %v", p, q)
		}
		list := e.must(http.MethodGet, "/tokens", "uma", nil, 200)["items"].([]any)
		if len(list) != 1 {
			t.Fatalf("tokens: %v", list)
		}
		e.must(http.MethodPost, "/users/"+e.ids["uma"]+"/lock", "carol", nil, 200)
		e.must(http.MethodGet, "/me", "uma", nil, 401)
		// R-USER-5: the lock revoked the token; unlocking does not bring it
		// back, and a new one works.
		e.must(http.MethodPost, "/users/"+e.ids["uma"]+"/unlock", "carol", nil, 200)
		e.must(http.MethodGet, "/me", "uma", nil, 401)
		e.tok["uma"] = e.must(http.MethodPost, "/tokens", "", map[string]any{"email": "uma@customer.example", "password": password}, 201)["token"].(string)
		e.must(http.MethodGet, "/me", "uma", nil, 200)
		list = e.must(http.MethodGet, "/tokens", "uma", nil, 200)["items"].([]any)
		e.must(http.MethodDelete, "/tokens/"+list[len(list)-1].(map[string]any)["id"].(string), "uma", nil, 204)
		e.must(http.MethodGet, "/me", "uma", nil, 401)
	})
}

// TestTokens_LastUsed: the token list says when each token was last used.
func TestTokens_LastUsed(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		e.must(http.MethodGet, "/me", "uma", nil, 200)
		items := e.must(http.MethodGet, "/tokens", "uma", nil, 200)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["last_used_at"] == nil {
			t.Fatalf("tokens: %v", items)
		}
	})
}

// TestIdempotencyKey: a retried POST with the same key creates nothing new
// and answers the same; the key with another body is refused; other
// callers' keys do not collide.
func TestIdempotencyKey(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		post := func(persona, key string, body map[string]any) (*http.Response, map[string]any) {
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest(http.MethodPost, e.url+"/api/v1/users", strings.NewReader(string(b)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+e.tok[persona])
			req.Header.Set("Idempotency-Key", key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return resp, out
		}
		body := map[string]any{"org_id": e.ids["customer"], "email": "ivan@customer.example", "name": "Ivan Idem", "roles": []string{"customer_user"}}
		r1, o1 := post("carol", "k-1", body)
		r2, o2 := post("carol", "k-1", body)
		if r1.StatusCode != 201 || r2.StatusCode != 201 || r2.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("first %d, retry %d %q", r1.StatusCode, r2.StatusCode, r2.Header.Get("Idempotent-Replayed"))
		}
		id1 := o1["user"].(map[string]any)["id"]
		if id2 := o2["user"].(map[string]any)["id"]; id1 != id2 {
			t.Fatalf("retry answered another user: %v / %v", id1, id2)
		}
		var invites int
		_ = e.srv.DB.SQL().QueryRow(`SELECT COUNT(*) FROM notices WHERE to_email = 'ivan@customer.example'`).Scan(&invites)
		if invites != 1 {
			t.Fatalf("the retry must not invite again: %d invitations", invites)
		}
		body["email"] = "other@customer.example"
		if r, p := post("carol", "k-1", body); r.StatusCode != 422 || !strings.Contains(p["detail"].(string), "different request") {
			t.Fatalf("same key, other body: %d %v", r.StatusCode, p)
		}
		if r, _ := post("cara", "k-1", map[string]any{"org_id": e.ids["customer2"], "email": "x@customer2.example",
			"name": "X Person", "roles": []string{"customer_user"}}); r.StatusCode != 201 {
			t.Fatalf("another caller's key must not collide: %d", r.StatusCode)
		}
	})
}

// TestValidationErrors_Bounded: a body with thousands of unknown fields
// gets a short problem that lists a few of them and never echoes the
// values sent (the answer was 48 MB for a 24 KB request).
func TestValidationErrors_Bounded(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	body := map[string]any{"email": "a@b.example", "password": "x"}
	for i := range 2000 {
		body[fmt.Sprintf("k%d", i)] = "SECRET-VALUE-" + strings.Repeat("x", 10)
	}
	status, raw, _ := e.send(http.MethodPost, "/session", "", body)
	if status < 400 || status >= 500 {
		t.Fatalf("status %d", status)
	}
	if len(raw) > 8<<10 || strings.Contains(string(raw), "SECRET-VALUE") {
		t.Fatalf("answer of %d bytes, echoing values: %v", len(raw), strings.Contains(string(raw), "SECRET-VALUE"))
	}
}

// TestMethodNotAllowed: a path that exists with another method answers
// 405 with the methods it takes; a path that does not exist answers 404.
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	status, raw, _ := e.send(http.MethodPut, "/users/"+e.ids["uma"], "carol", map[string]any{})
	if status != http.StatusMethodNotAllowed || !strings.Contains(string(raw), "GET, PATCH, DELETE") {
		t.Fatalf("PUT /users/{id}: %d %s", status, raw)
	}
	if status, _, _ := e.send(http.MethodGet, "/no-such-thing", "carol", nil); status != http.StatusNotFound {
		t.Fatalf("GET /no-such-thing: %d", status)
	}
}

// TestDocs_Offline: the API reference page lists every operation and
// needs nothing from elsewhere (issue 14).
func TestDocs_Offline(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	status, body, ctype := e.send(http.MethodGet, "/docs", "", nil)
	page := string(body)
	if status != http.StatusOK || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(page, `id="create-site"`) ||
		!strings.Contains(page, `id="export-campaign"`) {
		t.Fatalf("docs: %d %s", status, ctype)
	}
	if strings.Contains(page, "<script") || regexp.MustCompile(`(src|href)="https?://`).MatchString(page) {
		t.Fatal("the reference page loads something from elsewhere")
	}
}
