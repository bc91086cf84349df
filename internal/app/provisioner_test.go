package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/hooksig"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

const provisionerSecret = "a provisioner secret of some length"

// webhookWorld is a world whose sites are built by the webhook
// provisioner, with a one-hour timeout.
func webhookWorld(t *testing.T, db *store.DB) *world {
	a, c := newAppWith(t, db, &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, func(cfg *app.Config) {
		cfg.Provisioner = app.ProvisionerConfig{Kind: app.ProvisionerWebhook, URL: "http://automation.vendor.example/hook",
			Secret: provisionerSecret, Timeout: time.Hour}
	})
	return worldOn(t, db, a, c)
}

// callback signs a report for site at the world's now and hands it to the app.
func (w *world) callback(siteID, status, why string) (string, []byte, error) {
	body, _ := json.Marshal(domain.ProvisionResult{SiteID: siteID, Status: status, Error: why})
	sig := hooksig.Sign(provisionerSecret, w.clock.Now(), body)
	_, err := w.app.ProvisionerCallback(w.ctx, "192.0.2.10", sig, body)
	return sig, body, err
}

func (w *world) calls(siteID string) []*domain.ProvisionerCall {
	w.t.Helper()
	return must(w.t, of(w.app.ProvisionerCalls(w.ctx, w.op, siteID)))
}

func (w *world) refusedCallbacks() int {
	action := "provisioner.callback_refused"
	return len(must(w.t, of(w.app.Audit(w.ctx, w.op, domain.AuditFilter{Action: &action, Limit: 100}))))
}

// R-SITE-0: with the webhook provisioner a new site stays provisioning
// until a signed callback; ready makes it ready, failed shows the error and
// tells operators, a retry asks again; forged, stale and replayed callbacks
// are refused and recorded; no callback fails it after the timeout; later
// state changes are sent to the provisioner too.
func TestWebhookProvisioner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := webhookWorld(t, db)
		if w.site.State != domain.SiteProvisioning {
			t.Fatalf("new site is %s, want provisioning", w.site.State)
		}
		cs := w.calls(w.site.ID)
		if len(cs) != 1 || cs[0].Event != domain.HookProvision || cs[0].State != domain.DeliveryPending {
			t.Fatalf("calls: %+v", cs)
		}
		var payload struct {
			Event       string `json:"event"`
			CallbackURL string `json:"callback_url"`
			Site        struct{ ID, Name, CustomerName string }
		}
		if err := json.Unmarshal([]byte(cs[0].Payload), &payload); err != nil || payload.Site.ID != w.site.ID ||
			payload.Site.Name != "acme-prod" || payload.CallbackURL == "" {
			t.Fatalf("payload %s: %v", cs[0].Payload, err)
		}
		if d := must(t, of(w.app.Access(w.ctx, w.op, w.site.ID, w.cUser.ID, ""))); d.Allowed {
			t.Fatal("a provisioning site lets users in")
		}

		// Forged: another secret. Stale: signed too long ago. Both refused and recorded.
		body, _ := json.Marshal(domain.ProvisionResult{SiteID: w.site.ID, Status: "ready"})
		if _, err := w.app.ProvisionerCallback(w.ctx, "192.0.2.10", hooksig.Sign("not the secret at all", w.clock.Now(), body), body); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("forged callback: %v", err)
		}
		if _, err := w.app.ProvisionerCallback(w.ctx, "192.0.2.10", hooksig.Sign(provisionerSecret, w.clock.Now().Add(-10*time.Minute), body), body); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("stale callback: %v", err)
		}
		if _, err := w.app.ProvisionerCallback(w.ctx, "192.0.2.10", "", body); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("unsigned callback: %v", err)
		}
		if n := w.refusedCallbacks(); n != 3 {
			t.Fatalf("refused callbacks recorded: %d, want 3", n)
		}
		if s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID))); s.State != domain.SiteProvisioning {
			t.Fatalf("after refused callbacks the site is %s", s.State)
		}

		// Failed: the error shows, operators are told.
		sig, body, err := w.callback(w.site.ID, "failed", "no capacity in region eu-west")
		if err != nil {
			t.Fatal(err)
		}
		s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID)))
		if s.State != domain.SiteFailed || s.ProvisionError != "no capacity in region eu-west" {
			t.Fatalf("after a failed callback: %s %q", s.State, s.ProvisionError)
		}
		if n := w.mailed("olivia.operator@vendor.example", domain.NoticeProvisioningFailed); len(n) != 1 {
			t.Fatalf("operators told %d times", len(n))
		}
		// R-AUDIT-2: the compliance report shows the failing site, to its customer too.
		if f, ok := findings(t, w, w.cAdmin, w.customer.ID, domain.FindProvisioning)["Acme"]; !ok || f.SiteName != "acme-prod" ||
			!strings.Contains(f.Detail, "no capacity") {
			t.Fatalf("compliance: %+v", f)
		}
		// The same signed callback again is a replay.
		if _, err := w.app.ProvisionerCallback(w.ctx, "192.0.2.10", sig, body); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("replayed callback: %v", err)
		}
		if n := w.refusedCallbacks(); n != 4 {
			t.Fatalf("refused callbacks recorded: %d, want 4", n)
		}

		// Only operators and the customer's partner retry; the customer cannot.
		if _, err := w.app.RetryProvisioning(w.ctx, w.cAdmin, w.site.ID); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("customer retries: %v", err)
		}
		s = must(t, of(w.app.RetryProvisioning(w.ctx, w.pAdmin, w.site.ID)))
		if s.State != domain.SiteProvisioning || s.ProvisionError != "" || len(w.calls(w.site.ID)) != 2 {
			t.Fatalf("after retry: %s %q, %d calls", s.State, s.ProvisionError, len(w.calls(w.site.ID)))
		}
		if _, err := w.app.RetryProvisioning(w.ctx, w.op, w.site.ID); domain.ErrorCode(err) != domain.ERule {
			t.Fatalf("retrying a provisioning site: %v", err)
		}

		// Ready: the site is ready, and a repeated report changes nothing.
		w.clock.Add(time.Second)
		if _, _, err := w.callback(w.site.ID, "ready", ""); err != nil {
			t.Fatal(err)
		}
		w.clock.Add(time.Second)
		if _, _, err := w.callback(w.site.ID, "ready", ""); err != nil {
			t.Fatalf("repeated ready: %v", err)
		}
		if s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID))); s.State != domain.SiteReady {
			t.Fatalf("after ready: %s", s.State)
		}
		if f := findings(t, w, w.op, "", domain.FindProvisioning); len(f) != 0 {
			t.Fatalf("a ready site is still reported: %+v", f)
		}
		if _, _, err := w.callback(w.site.ID, "failed", "too late"); domain.ErrorCode(err) != domain.ERule {
			t.Fatalf("failure of a ready site: %v", err)
		}
		if _, _, err := w.callback(w.site.ID, "done", ""); domain.ErrorCode(err) != domain.EInvalid {
			t.Fatalf("unknown status: %v", err)
		}
		if _, _, err := w.callback("site_nope", "ready", ""); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("unknown site: %v", err)
		}

		// Later changes of state are sent to the provisioner.
		must(t, of(w.app.SuspendSite(w.ctx, w.op, w.site.ID, "unpaid invoice", w.clock.Now().Add(48*time.Hour))))
		must(t, of(w.app.ResumeSite(w.ctx, w.op, w.site.ID)))
		must(t, of(w.app.CancelSite(w.ctx, w.op, w.site.ID, "")))
		var events []string
		for _, c := range w.calls(w.site.ID) {
			events = append(events, c.Event)
		}
		want := []string{domain.HookCancelled, domain.HookResumed, domain.HookSuspended, domain.HookProvision, domain.HookProvision}
		if len(events) != len(want) {
			t.Fatalf("events %v, want %v", events, want)
		}
		for i := range want {
			if events[i] != want[i] {
				t.Fatalf("events %v, want %v", events, want)
			}
		}

		// No callback: failed after the timeout, by the sweep.
		late := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-test", Edition: domain.EditionStandard})))
		w.clock.Add(59 * time.Minute)
		if res := must(t, of(w.app.Sweep(w.ctx))); res.ProvisionTimedOut != 0 {
			t.Fatalf("timed out early: %+v", res)
		}
		w.clock.Add(2 * time.Minute)
		if res := must(t, of(w.app.Sweep(w.ctx))); res.ProvisionTimedOut != 1 {
			t.Fatalf("sweep: %+v", res)
		}
		if s := must(t, of(w.app.Site(w.ctx, w.op, late.ID))); s.State != domain.SiteFailed || s.ProvisionError != "no answer from the provisioner within 1h0m0s" {
			t.Fatalf("after the timeout: %s %q", s.State, s.ProvisionError)
		}
		if n := w.mailed("olivia.operator@vendor.example", domain.NoticeProvisioningFailed); len(n) != 2 {
			t.Fatalf("operators told %d times", len(n))
		}

		// Partners see their customers' provisioning; customers do not.
		if _, err := w.app.ProvisionerCalls(w.ctx, w.cAdmin, late.ID); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("customer reads provisioning: %v", err)
		}
		must(t, of(w.app.ProvisionerCalls(w.ctx, w.pAdmin, late.ID)))
	})
}

// R-SITE-0: a provisioner that cannot be reached fails the provisioning
// once the attempts are spent.
func TestProvisionerUnreachable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := webhookWorld(t, db)
		id := w.calls(w.site.ID)[0].ID
		var got *domain.WebhookDelivery
		down := func(_ context.Context, url, secret string, d *domain.WebhookDelivery) (int, error) {
			got = d
			if url != "http://automation.vendor.example/hook" || secret != provisionerSecret {
				t.Errorf("posted to %s with %q", url, secret)
			}
			return 502, errors.New("provisioner answered 502")
		}
		if err := w.app.DeliverProvisionerCall(w.ctx, id, false, down); err == nil {
			t.Fatal("a failed attempt returned no error")
		}
		if got == nil || got.ID != id || got.Event != domain.HookProvision {
			t.Fatalf("posted %+v", got)
		}
		if s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID))); s.State != domain.SiteProvisioning {
			t.Fatalf("after one failed attempt: %s", s.State)
		}
		_ = w.app.DeliverProvisionerCall(w.ctx, id, true, down)
		s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID)))
		if s.State != domain.SiteFailed || s.ProvisionError != "the provisioner could not be reached: provisioner answered 502" {
			t.Fatalf("after the last attempt: %s %q", s.State, s.ProvisionError)
		}
		if c := w.calls(w.site.ID)[0]; c.State != domain.DeliveryFailed || c.Attempts != 2 || c.LastStatus != 502 {
			t.Fatalf("call: %+v", c)
		}
	})
}

// R-SITE-0: sweeps running at once fail a site the provisioner never
// answered once: one failure, one notice to the operators.
func TestProvisioningTimeout_Concurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := webhookWorld(t, db)
		w.clock.Add(2 * time.Hour)
		errs := make(chan error, 3)
		for range 3 {
			go func() { _, err := w.app.Sweep(w.ctx); errs <- err }()
		}
		for range 3 {
			if err := <-errs; err != nil && !strings.Contains(err.Error(), "database is locked") {
				t.Fatal(err)
			}
		}
		if n := w.mailed("olivia.operator@vendor.example", domain.NoticeProvisioningFailed); len(n) != 1 {
			t.Fatalf("operators told %d times", len(n))
		}
		action := "site.provision_failed"
		if es := must(t, of(w.app.Audit(w.ctx, w.op, domain.AuditFilter{Action: &action, Limit: 10}))); len(es) != 1 {
			t.Fatalf("%d failures logged", len(es))
		}
	})
}
