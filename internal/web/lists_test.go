package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

var nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

// TestLists_PageSearchCount: the lists of organisations, sites, users,
// requests and the mailbox page alike: a count of what matches, the next
// page and back to the first keeping the search, and an empty state that
// says what to do next; an approved request shows what became of its
// access (issue 14). R-PARTNER-4
func TestLists_PageSearchCount(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		ctx := context.Background()
		carol, _, site := p.partnerRequest()
		customer := p.userOrg("carol@acme.example")
		for i := range 55 {
			c, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: fmt.Sprintf("Dental Practice %02d", i)})
			if err != nil {
				t.Fatal(err)
			}
			if i < 3 {
				if _, err := p.app.CreateSite(ctx, p.op, app.NewSite{CustomerID: c.ID, Name: fmt.Sprintf("dental-%02d", i), Edition: domain.EditionStandard}); err != nil {
					t.Fatal(err)
				}
			}
		}
		olivia := p.browser("olivia@vendor.example")
		get := func(c interface {
			Get(string) (*http.Response, error)
		}, path string) string {
			t.Helper()
			st, page := read(t)(c.Get(p.base + path))
			if st != http.StatusOK {
				t.Fatalf("%s: %d", path, st)
			}
			return html.UnescapeString(page)
		}

		// 1 vendor, 1 partner, Acme and 55 practices.
		first := get(olivia, "/orgs")
		if !strings.Contains(first, "50 shown of 58 organisations") {
			t.Fatalf("first page of organisations: no count")
		}
		m := nextLink.FindStringSubmatch(first)
		if m == nil {
			t.Fatal("no next page")
		}
		second := get(olivia, html.UnescapeString(m[1]))
		if !strings.Contains(second, "8 shown of 58 organisations") || !strings.Contains(second, "First page") || nextLink.MatchString(second) {
			t.Fatal("second page of organisations: want the last 8, a link to the first and none to a next")
		}
		if s := get(olivia, "/orgs?q=practice+0"); !strings.Contains(s, "10 organisations") || strings.Contains(s, "Acme") {
			t.Fatal("searching organisations by name")
		}
		if s := get(olivia, "/orgs?q=zz%25"); !strings.Contains(s, "No organisation's name holds “zz%”") {
			t.Fatal("an empty search does not say so")
		}
		if s := get(olivia, "/sites?q=dental"); !strings.Contains(s, "3 sites") || strings.Contains(s, "acme-prod") {
			t.Fatal("searching sites by name")
		}
		if s := get(olivia, "/mailbox"); !regexp.MustCompile(`\d+ (shown of \d+ )?notices`).MatchString(s) {
			t.Fatal("the mailbox has no count")
		}
		if s := get(carol, "/requests?state=pending"); !strings.Contains(s, "1 request") || !strings.Contains(s, site.Name) {
			t.Fatal("the waiting request is not counted")
		}
		// Approved, then revoked: the list says the access ended early.
		reqs, err := p.app.AccessRequests(ctx, p.op, domain.AccessRequestFilter{})
		if err != nil || len(reqs.Items) != 1 {
			t.Fatalf("requests: %v", err)
		}
		if _, err := p.app.ApproveRequest(ctx, p.actor("carol@acme.example"), reqs.Items[0].ID, 0); err != nil {
			t.Fatal(err)
		}
		if s := get(carol, "/requests?state=approved"); !strings.Contains(s, "access running") {
			t.Fatal("an approved request does not say its access is running")
		}
		if err := p.app.RevokeAccess(ctx, p.actor("carol@acme.example"), site.ID, reqs.Items[0].UserID, ""); err != nil {
			t.Fatal(err)
		}
		if s := get(carol, "/requests?state=approved"); !strings.Contains(s, "access ended early") {
			t.Fatal("a revoked grant does not show as such in the requests")
		}
		if s := get(carol, "/requests?state=denied"); !strings.Contains(s, "No requests denied. Partner users ask for access on a site's page") {
			t.Fatal("no denied requests: the empty state does not say what happens")
		}
		if s := get(carol, "/users?org="+customer+"&q=nobody"); !strings.Contains(s, "No user matches") || !strings.Contains(s, "0 users") {
			t.Fatal("an empty user search")
		}
		if s := get(carol, "/sites"); !strings.Contains(s, "1 site") {
			t.Fatal("the customer's sites are not counted")
		}
	})
}
