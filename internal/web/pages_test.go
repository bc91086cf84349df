package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestAppPages: a customer's administrator registers the site's web
// portal on the site page; its secret is shown once; a bad redirect URI
// is refused in words. R-APP-2
func TestAppPages(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, site := p.partnerRequest()
		st, body := read(t)(carol.PostForm(p.base+"/sites/"+site.ID+"/apps", url.Values{"name": {"acme-prod web portal"},
			"redirect_uris": {"https://portal.acme.example/cb"}}))
		secret := regexp.MustCompile(`value="(aps_[^"]+)"`).FindStringSubmatch(body)
		if st != http.StatusOK || secret == nil || !strings.Contains(body, "not shown again") {
			t.Fatalf("register: %d\n%s", st, body)
		}
		if _, again := read(t)(carol.Get(p.base + "/sites/" + site.ID)); strings.Contains(again, secret[1]) || !strings.Contains(again, "acme-prod web portal") {
			t.Fatal("the secret is shown again, or the application is not listed")
		}
		if _, body := read(t)(carol.PostForm(p.base+"/sites/"+site.ID+"/apps", url.Values{"name": {"bad"},
			"redirect_uris": {"http://portal.acme.example/cb"}})); !strings.Contains(body, "not a redirect URI Provisio accepts") {
			t.Fatalf("a bad redirect URI was not refused in words:\n%s", body)
		}
	})
}

// TestCompliancePage: a customer's administrator reads the report, with
// each finding's rule and a link to fix it. R-AUDIT-2
func TestCompliancePage(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, _ := p.partnerRequest()
		st, body := read(t)(carol.Get(p.base + "/compliance"))
		if st != http.StatusOK || !strings.Contains(body, "R-ROLE-5") || !strings.Contains(body, "Acme has a single administrator") ||
			!strings.Contains(body, "add a second administrator") {
			t.Fatalf("compliance page: %d\n%s", st, body)
		}
	})
}

// TestSettingsPages: a customer's administrator turns on the dormancy lock
// and names a break-glass account from the pages. R-PLUS-4
func TestSettingsPages(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, site := p.partnerRequest()
		uma := p.person(p.op, site.CustomerID, "uma@acme.example", domain.RoleCustomerUser)
		st, body := read(t)(carol.PostForm(p.base+"/orgs/"+site.CustomerID+"/settings", url.Values{"lock_dormant": {"on"}}))
		if st != http.StatusOK || !strings.Contains(body, "Settings saved") || !regexp.MustCompile(`name="lock_dormant"[^>]*checked`).MatchString(body) {
			t.Fatalf("settings: %d\n%s", st, body)
		}
		if _, body := read(t)(carol.PostForm(p.base+"/users/"+uma.ID+"/break-glass", url.Values{"exempt": {"on"}})); !strings.Contains(body, "R-PLUS-4") {
			t.Fatalf("an exemption without a reason was not refused:\n%s", body)
		}
		_, body = read(t)(carol.PostForm(p.base+"/users/"+uma.ID+"/break-glass", url.Values{"exempt": {"on"}, "reason": {"on-call desk"}}))
		if !strings.Contains(body, "never locked for dormancy: on-call desk") {
			t.Fatalf("break-glass:\n%s", body)
		}
	})
}

// TestHistoryPage: the site's access history at a moment. R-AUDIT-1
func TestHistoryPage(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, req, site := p.partnerRequest()
		if _, err := p.app.ApproveRequest(context.Background(), p.actor("carol@acme.example"), req.ID, 0); err != nil {
			t.Fatal(err)
		}
		st, body := read(t)(carol.Get(p.base + "/sites/" + site.ID + "/history?at=" + time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")))
		if st != http.StatusOK || !strings.Contains(body, "paula@northwind.example") || !strings.Contains(body, "partner") {
			t.Fatalf("history: %d\n%s", st, body)
		}
		if st, _ := read(t)(carol.Get(p.base + "/sites/" + site.ID + "/history?at=yesterday")); st != http.StatusBadRequest {
			t.Fatalf("a malformed moment: %d", st)
		}
	})
}

// TestNotificationsPage: every person reads the notices addressed to them
// in the portal, mail server or not. R-NOTE-2
func TestNotificationsPage(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, _ := p.partnerRequest()
		st, body := read(t)(carol.Get(p.base + "/notifications"))
		if st != http.StatusOK || !strings.Contains(body, "acme-prod") || !strings.Contains(body, "requests access to site acme-prod") {
			t.Fatalf("carol's notifications: %d\n%s", st, body)
		}
	})
}
