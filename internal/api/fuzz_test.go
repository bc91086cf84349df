package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/store/storetest"
)

// maxAnswer is the largest answer a request under maxAnswer may get.
const maxAnswer = 64 << 10

// operation is one API operation read from the OpenAPI document.
type operation struct {
	method, path string
	query        []string // its query parameters
}

// operations reads every operation of the served OpenAPI document.
func operations(t testing.TB, base string) []operation {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string } `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var ops []operation
	for path, methods := range doc.Paths {
		for method, op := range methods {
			o := operation{method: strings.ToUpper(method), path: strings.TrimPrefix(path, "/api/v1")}
			for _, p := range op.Parameters {
				if p.In == "query" {
					o.query = append(o.query, p.Name)
				}
			}
			ops = append(ops, o)
		}
	}
	return ops
}

// hostile are texts that have broken servers before: NUL, control and
// format characters, long runs, SQL and template syntax, path tricks.
var hostile = []string{"", "\x00", "a\x00b", "%00", "\t", "\r\n", "'", `"`, "\\", "../../etc/passwd", "%2e%2e%2f",
	"' OR 1=1 --", "{{.}}", "<script>alert(1)</script>", "\u202e", "\uffff", "😀", strings.Repeat("x", 5000),
	"-1", "0", "9999999999999999999999", "1e309", "NaN", "true", "null", "[]", "{}", "usr_", "site_x", "%", "_", "*"}

// randomText picks a hostile text, a random one, or an id of the world.
func randomText(r *rand.Rand, ids []string) string {
	switch r.IntN(4) {
	case 0:
		return hostile[r.IntN(len(hostile))]
	case 1:
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	case 2:
		return ids[r.IntN(len(ids))]
	}
	return fmt.Sprintf("%x", r.Uint64())
}

// randomJSON builds a JSON value of random shape, depth at most depth.
func randomJSON(r *rand.Rand, ids []string, depth int) any {
	switch k := r.IntN(7); {
	case k == 0 || depth == 0:
		return randomText(r, ids)
	case k == 1:
		return r.NormFloat64() * 1e6
	case k == 2:
		return r.IntN(2) == 0
	case k == 3:
		return nil
	case k == 4:
		l := make([]any, r.IntN(5))
		for i := range l {
			l[i] = randomJSON(r, ids, depth-1)
		}
		return l
	}
	m := map[string]any{}
	keys := []string{"email", "name", "password", "roles", "org_id", "user_id", "site_id", "kind", "edition", "url",
		"reason", "until", "period", "role", "token", "code", "partner_id", "customer_id", "company", "issuer",
		"client_id", "allowed_domains", "main_contact_id", "demo", "require_mfa"}
	for range r.IntN(6) {
		m[keys[r.IntN(len(keys))]] = randomJSON(r, ids, depth-1)
	}
	return m
}

// check sends one request and fails on a 5xx or an answer over maxAnswer.
func check(t testing.TB, base, token, method, path string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/api/v1"+path, bytes.NewReader(body))
	if err != nil {
		return // not a request a client could send
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer+1))
	if resp.StatusCode >= 500 || n > maxAnswer {
		t.Fatalf("%s %q with %d bytes: %d, %d bytes answered", method, path, len(body), resp.StatusCode, n)
	}
}

// FuzzAPI sends fuzzed requests to the API as a signed-in customer
// administrator: no answer is a 5xx or larger than 64 KB. Plain `go test`
// runs the seeds; `go test -fuzz FuzzAPI ./internal/api` explores.
func FuzzAPI(f *testing.F) {
	for _, seed := range []struct {
		method uint8
		path   string
		body   string
	}{
		{0, "/users/%00", ""}, {1, "/session", `{"email":"a\u0000b@x.example","password":"x"}`},
		{0, "/users?q=%00&org_id=%27", ""}, {1, "/users", `{"org_id":1,"email":[],"roles":{"a":1}}`},
		{2, "/users/usr_x", `{"name":"` + strings.Repeat("é", 3000) + `"}`}, {0, "/audit?since=9999-99-99", ""},
		{1, "/sites/x/partner-access", `{"user_id":"\ud800"}`}, {3, "/tokens/%2e%2e", ""}, {0, "/sites?limit=-1&cursor=%ff", ""},
	} {
		f.Add(seed.method, seed.path, seed.body)
	}
	e := newEnv(f, storetest.SQLite)
	f.Fuzz(func(t *testing.T, method uint8, path, body string) {
		if len(body) >= maxAnswer || !strings.HasPrefix(path, "/") {
			return
		}
		check(t, e.url, e.tok["carol"], []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete,
			http.MethodPut}[method%5], path, []byte(body))
	})
}

// TestAPI_RandomRequests runs, for a bounded time on each database,
// random requests over every operation of the API (random path ids,
// query values and JSON bodies, as a signed-in administrator and as
// nobody): no answer is a 5xx or larger than 64 KB. The seed is logged;
// PROVISIO_FUZZ_SEED replays a run, PROVISIO_FUZZ_TIME lengthens it.
func TestAPI_RandomRequests(t *testing.T) {
	budget := 3 * time.Second
	if d, err := time.ParseDuration(os.Getenv("PROVISIO_FUZZ_TIME")); err == nil {
		budget = d
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := fmt.Sscan(os.Getenv("PROVISIO_FUZZ_SEED"), &seed); err != nil || s != 1 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (PROVISIO_FUZZ_SEED=%d replays it)", seed, seed)
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		ops := operations(t, e.url)
		ids := []string{e.ids["customer"], e.ids["customer2"], e.ids["site"], e.ids["carol"], e.ids["cara"], e.ids["uma"]}
		r := rand.New(rand.NewPCG(seed, 1))
		n := 0
		for deadline := time.Now().Add(budget); time.Now().Before(deadline); n++ {
			op := ops[r.IntN(len(ops))]
			path := paramRE.ReplaceAllStringFunc(op.path, func(string) string { return url.PathEscape(randomText(r, ids)) })
			q := url.Values{}
			for _, name := range op.query {
				if r.IntN(2) == 0 {
					q.Set(name, randomText(r, ids))
				}
			}
			if len(q) > 0 {
				path += "?" + q.Encode()
			}
			var body []byte
			if op.method != http.MethodGet && op.method != http.MethodDelete {
				body, _ = json.Marshal(randomJSON(r, ids, 3))
			}
			token := e.tok["carol"]
			if r.IntN(4) == 0 {
				token = ""
			}
			check(t, e.url, token, op.method, path, body)
		}
		t.Logf("%d random requests over %d operations", n, len(ops))
	})
}
