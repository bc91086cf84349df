package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

var (
	secretRE = regexp.MustCompile(`value="(scim_[^"]+)"`)
	revokeRE = regexp.MustCompile(`/scim-tokens/(sct_[0-9a-z]+)/revoke`)
)

// TestSCIMPages: a customer's administrator connects its identity
// provider and its site's application from the web. Each token's secret
// is shown once, on the answer to the form; the group mapping refuses a
// line it cannot read; the site page shows the application's view and
// when it last read the list. R-APP-1 R-APP-4
func TestSCIMPages(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, site := p.partnerRequest()
		get := func(path string) string {
			t.Helper()
			st, body := read(t)(carol.Get(p.base + path))
			if st != http.StatusOK {
				t.Fatalf("GET %s: %d", path, st)
			}
			return body
		}
		post := func(path string, form url.Values) string {
			t.Helper()
			st, body := read(t)(carol.PostForm(p.base+path, form))
			if st != http.StatusOK {
				t.Fatalf("POST %s: %d", path, st)
			}
			return body
		}
		org := "/orgs/" + site.CustomerID
		if body := get(org); !strings.Contains(body, "Identity provider (SCIM)") {
			t.Fatal("the administrator's organisation page offers no SCIM section")
		}
		body := post(org+"/scim-tokens", url.Values{"name": {"Entra ID"}})
		m := secretRE.FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "not shown again") || !strings.Contains(body, "/scim/v2") {
			t.Fatalf("the new token is not shown:\n%s", body)
		}
		if again := get(org); strings.Contains(again, m[1]) || !strings.Contains(again, "Entra ID") {
			t.Fatal("the secret is shown a second time, or the token is not listed")
		}

		// The group mapping.
		if body := post(org+"/group-roles", url.Values{"mapping": {"oops"}}); !strings.Contains(body, "one mapping a line") {
			t.Fatalf("a line without '=' was not refused:\n%s", body)
		}
		body = post(org+"/group-roles", url.Values{"mapping": {"IT admins = customer_admin\n"}})
		if !strings.Contains(body, "IT admins = customer_admin") || !strings.Contains(body, "Group roles saved") {
			t.Fatalf("the mapping was not saved:\n%s", body)
		}

		// The site's application: a token, the link view, last read.
		body = post("/sites/"+site.ID+"/scim-tokens", url.Values{"name": {"acme-prod web portal"}})
		m = secretRE.FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "has not read the list yet") {
			t.Fatalf("the site token:\n%s", body)
		}
		req, _ := http.NewRequest(http.MethodGet, p.base+"/scim/v2/Users", nil)
		req.Header.Set("Authorization", "Bearer "+m[1])
		if st, _ := read(t)(http.DefaultClient.Do(req)); st != http.StatusOK {
			t.Fatalf("the application's read: %d", st)
		}
		body = get("/sites/" + site.ID)
		if !strings.Contains(body, "last read the list on") {
			t.Fatal("the site page does not say when the application read the list")
		}
		id := revokeRE.FindStringSubmatch(body)
		if id == nil {
			t.Fatal("no revoke button")
		}
		body = post("/scim-tokens/"+id[1]+"/revoke", url.Values{"back": {"/sites/" + site.ID}})
		if !strings.Contains(body, "acme-prod web portal revoked") {
			t.Fatalf("revoke:\n%s", body)
		}

		// A partner administrator sees the customer, not its SCIM set-up.
		paula := p.browser("paula@northwind.example")
		if _, body := read(t)(paula.Get(p.base + org)); strings.Contains(body, "Identity provider (SCIM)") {
			t.Fatal("the partner sees the customer's identity provider section")
		}
		_ = domain.LinkNew
	})
}
