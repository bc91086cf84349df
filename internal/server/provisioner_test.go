package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/hooksig"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/jobs"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// automation is the vendor's provisioning automation: it checks each
// event's signature and keeps the events.
type automation struct {
	mu     sync.Mutex
	secret string
	events []map[string]any
	bad    []string
}

func (a *automation) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := hooksig.Verify(a.secret, r.Header.Get(hooksig.Header), body, time.Now(), time.Minute); err != nil {
		a.bad = append(a.bad, err.Error())
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev map[string]any
	_ = json.Unmarshal(body, &ev)
	a.events = append(a.events, ev)
}

// wait returns the events once there are n, or fails.
func (a *automation) wait(t *testing.T, n int) []map[string]any {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		a.mu.Lock()
		evs, bad := append([]map[string]any(nil), a.events...), a.bad
		a.mu.Unlock()
		if len(bad) > 0 {
			t.Fatalf("events with bad signatures: %v", bad)
		}
		if len(evs) >= n {
			return evs
		}
	}
	t.Fatalf("the automation did not get %d events", n)
	return nil
}

// R-SITE-0: through the running server, a new site's request reaches the
// vendor's automation signed; the automation's signed callback over HTTP
// reports it failed (shown with its error), a retry sends the request
// again, and a ready callback makes it ready; forged and replayed
// callbacks are refused with 401.
func TestWebhookProvisioner_EndToEnd(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		const secret = "the vendor automation's shared secret"
		auto := &automation{secret: secret}
		hs := httptest.NewServer(auto)
		defer hs.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig(),
			Jobs: jobs.Config{SweepEvery: 500 * time.Millisecond, MaxAttempts: 5}}
		cfg.App.BaseURL = base
		cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
		cfg.App.MFAFor = nil
		cfg.App.Provisioner = app.ProvisionerConfig{Kind: app.ProvisionerWebhook, URL: hs.URL + "/sites", Secret: secret, Timeout: time.Hour}
		s := open(t, cfg)
		ctx := serveOn(t, s, ln)

		a := s.App
		_, token := operator(t, ctx, a)
		api := func(method, path, sig string, body []byte) (int, map[string]any) {
			t.Helper()
			req, _ := http.NewRequest(method, base+"/api/v1"+path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if sig != "" {
				req.Header.Set(hooksig.Header, sig)
			} else {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		op := need(t, of1(a.Authenticate(ctx, token, "127.0.0.1")))
		cust := need(t, of1(a.CreateOrg(ctx, op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})))

		st, site := api("POST", "/sites", "", []byte(`{"customer_id":"`+cust.ID+`","name":"acme-prod","edition":"standard"}`))
		if st != 201 || site["state"] != "provisioning" {
			t.Fatalf("create: %d %v", st, site)
		}
		id := site["id"].(string)
		ev := auto.wait(t, 1)[0]
		if ev["event"] != domain.HookProvision || ev["site"].(map[string]any)["id"] != id ||
			ev["site"].(map[string]any)["customer_name"] != "Acme" || ev["callback_url"] != base+"/api/v1/provisioner/callback" {
			t.Fatalf("event: %v", ev)
		}

		report := func(status, why string) (string, []byte) {
			body, _ := json.Marshal(domain.ProvisionResult{SiteID: id, Status: status, Error: why})
			return hooksig.Sign(secret, time.Now(), body), body
		}
		sig, body := report("failed", "no capacity in eu-west")
		if st, out := api("POST", "/provisioner/callback", sig, body); st != 200 || out["state"] != "failed" {
			t.Fatalf("failed callback: %d %v", st, out)
		}
		if st, out := api("GET", "/sites/"+id, "", nil); st != 200 || out["state"] != "failed" || out["provision_error"] != "no capacity in eu-west" {
			t.Fatalf("failed site: %d %v", st, out)
		}
		if st, out := api("POST", "/provisioner/callback", sig, body); st != 401 || !strings.Contains(out["detail"].(string), "replay") {
			t.Fatalf("replayed callback: %d %v", st, out)
		}
		forged, _ := report("ready", "")
		_, readyBody := report("ready", "")
		if st, _ := api("POST", "/provisioner/callback", forged[:len(forged)-4]+"0000", readyBody); st != 401 {
			t.Fatalf("forged callback: %d", st)
		}
		if st, out := api("POST", "/sites/"+id+"/retry-provisioning", "", nil); st != 200 || out["state"] != "provisioning" {
			t.Fatalf("retry: %d %v", st, out)
		}
		if ev := auto.wait(t, 2)[1]; ev["event"] != domain.HookProvision {
			t.Fatalf("retried event: %v", ev)
		}
		time.Sleep(1100 * time.Millisecond) // a new second, so a new signature
		sig, body = report("ready", "")
		if st, out := api("POST", "/provisioner/callback", sig, body); st != 200 || out["state"] != "ready" {
			t.Fatalf("ready callback: %d %v", st, out)
		}
		if st, out := api("GET", "/sites/"+id+"/provisioner-calls", "", nil); st != 200 || len(out["items"].([]any)) != 2 {
			t.Fatalf("calls: %d %v", st, out)
		}
		// The refusals are in the activity log.
		refused := "provisioner.callback_refused"
		if es := need(t, of1(a.Audit(ctx, op, domain.AuditFilter{Action: &refused, Limit: 10}))); len(es) != 2 {
			t.Fatalf("refused callbacks logged: %d", len(es))
		}
	})
}
