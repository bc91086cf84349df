package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/store/storetest"
)

var runningRE = regexp.MustCompile(`Person paula on <a href="/sites/[^"]+">acme-prod</a>: until ([^<]+)`)

// TestDashboards_AgreeOnPartnerAccess: the operator's, the customer
// administrator's and the partner administrator's dashboards show the
// same partner access running, with the same end, and none once it is
// revoked (issue 14). R-PARTNER-2 R-PARTNER-4
func TestDashboards_AgreeOnPartnerAccess(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		ctx := context.Background()
		carol, req, site := p.partnerRequest()
		if _, err := p.app.ApproveRequest(ctx, p.actor("carol@acme.example"), req.ID, 2*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		olivia, paula := p.browser("olivia@vendor.example"), p.browser("paula@northwind.example")
		ends := map[string]string{}
		for who, c := range map[string]interface {
			Get(string) (*http.Response, error)
		}{"operator": olivia, "customer administrator": carol, "partner administrator": paula} {
			_, page := read(t)(c.Get(p.base + "/"))
			m := runningRE.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("the %s's dashboard does not show paula's access to acme-prod", who)
			}
			ends[who] = strings.TrimSpace(m[1])
		}
		if ends["operator"] != ends["customer administrator"] || ends["operator"] != ends["partner administrator"] {
			t.Fatalf("the dashboards disagree on its end: %v", ends)
		}
		if err := p.app.RevokeAccess(ctx, p.actor("carol@acme.example"), site.ID, req.UserID, ""); err != nil {
			t.Fatal(err)
		}
		for _, c := range []interface {
			Get(string) (*http.Response, error)
		}{olivia, carol, paula} {
			if _, page := read(t)(c.Get(p.base + "/")); !strings.Contains(page, "No partner access is running.") {
				t.Fatal("a dashboard still shows the revoked access")
			}
		}
	})
}
