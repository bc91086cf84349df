package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/hooksig"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSitePage_ProvisioningFailed: a site whose provisioning failed shows
// the provisioner's error; operators see the events sent and a Retry
// button that asks again; the customer sees the error but cannot retry
// (R-SITE-0).
func TestSitePage_ProvisioningFailed(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		const secret = "a provisioner secret of some length"
		p := startPlain(t, d, func(c *server.Config) {
			c.App.Provisioner = app.ProvisionerConfig{Kind: app.ProvisionerWebhook, URL: "http://automation.vendor.example/",
				Secret: secret, Timeout: time.Hour}
		})
		ctx := context.Background()
		cust, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		p.person(p.op, cust.ID, "carol@acme.example", domain.RoleCustomerAdmin)
		site, err := p.app.CreateSite(ctx, p.op, app.NewSite{CustomerID: cust.ID, Name: "acme-prod", Edition: domain.EditionStandard})
		if err != nil {
			t.Fatal(err)
		}
		olivia, carol := p.browser("olivia@vendor.example"), p.browser("carol@acme.example")
		if _, page := read(t)(carol.Get(p.base + "/sites/" + site.ID)); !strings.Contains(page, "being provisioned") {
			t.Fatal("a provisioning site does not say so")
		}
		body, _ := json.Marshal(domain.ProvisionResult{SiteID: site.ID, Status: "failed", Error: "no capacity in eu-west"})
		if _, err := p.app.ProvisionerCallback(ctx, "127.0.0.1", hooksig.Sign(secret, time.Now(), body), body); err != nil {
			t.Fatal(err)
		}

		_, page := read(t)(carol.Get(p.base + "/sites/" + site.ID))
		if !strings.Contains(page, "Provisioning failed: no capacity in eu-west") || strings.Contains(page, "Retry provisioning") ||
			strings.Contains(page, "site.provision") {
			t.Fatal("the customer's page: want the error, without retry or the provisioner's events")
		}
		_, page = read(t)(olivia.Get(p.base + "/sites/" + site.ID))
		if !strings.Contains(page, "Provisioning failed: no capacity in eu-west") || !strings.Contains(page, "Retry provisioning") ||
			!strings.Contains(page, "site.provision") {
			t.Fatal("the operator's page: want the error, the events and a Retry button")
		}
		if st, _ := read(t)(carol.PostForm(p.base+"/sites/"+site.ID+"/retry-provisioning", nil)); st == http.StatusOK {
			if s, _ := p.app.Site(ctx, p.op, site.ID); s.State != domain.SiteFailed {
				t.Fatalf("the customer retried: %s", s.State)
			}
		}
		st, page := read(t)(olivia.PostForm(p.base+"/sites/"+site.ID+"/retry-provisioning", nil))
		if st != http.StatusOK || !strings.Contains(page, "Asked the provisioner again") || !strings.Contains(page, "being provisioned") {
			t.Fatalf("retry: %d", st)
		}
	})
}
