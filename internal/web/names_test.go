package web_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

var (
	tagRE     = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>|https?://\S+`)
	visibleID = regexp.MustCompile(`\b(org|usr|site|co|req|rev|cmp)_[0-9a-z]{20,}\b`)
)

// visibleText is what a person reads on a page: the text, not the tags
// and their attributes, nor the addresses of links written out in a
// notice (ids belong in URLs).
func visibleText(page string) string { return html.UnescapeString(tagRE.ReplaceAllString(page, " ")) }

// TestPages_NamesNotIDs: the pages people read show names, never raw ids,
// for each role (issue 14).
func TestPages_NamesNotIDs(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, req, site := p.partnerRequest()
		ctx := context.Background()
		if _, err := p.app.ApproveRequest(ctx, p.actor("carol@acme.example"), req.ID, 0); err != nil {
			t.Fatal(err)
		}
		uma := p.person(p.actor("carol@acme.example"), p.userOrg("carol@acme.example"), "uma@acme.example", domain.RoleCustomerUser)
		if _, err := p.app.AssignUser(ctx, p.actor("carol@acme.example"), site.ID, uma.ID, ""); err != nil {
			t.Fatal(err)
		}
		who := map[string]*http.Client{"operator": p.browser("olivia@vendor.example"), "customer administrator": carol,
			"partner administrator": p.browser("paula@northwind.example"), "customer user": p.browser("uma@acme.example")}
		pages := []string{"/", "/orgs", "/sites", "/sites/" + site.ID, "/users", "/requests", "/audit", "/reviews", "/compliance",
			"/users/" + uma.ID, "/notifications", "/orgs/" + p.userOrg("carol@acme.example"), "/users/" + uma.ID + "/history",
			"/sites/" + site.ID + "/history", "/account", "/mailbox", "/directory-accounts"}
		for role, b := range who {
			for _, path := range pages {
				st, page := read(t)(b.Get(p.base + path))
				if st != http.StatusOK {
					continue // not this role's page
				}
				if id := visibleID.FindString(visibleText(page)); id != "" {
					t.Errorf("%s reads the id %s on %s", role, id, path)
				}
			}
		}
	})
}
