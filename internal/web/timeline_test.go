package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestUserHistoryPage: a user's page leads to the sites the user could
// reach and when, with a CSV export; a bad date is refused in words
// (R-AUDIT-1).
func TestUserHistoryPage(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		ctx := context.Background()
		cust, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		carol := p.person(p.op, cust.ID, "carol@acme.example", domain.RoleCustomerAdmin)
		uma := p.person(p.op, cust.ID, "uma@acme.example", domain.RoleCustomerUser)
		site, err := p.app.CreateSite(ctx, p.op, app.NewSite{CustomerID: cust.ID, Name: "acme-prod", Edition: domain.EditionStandard})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.app.AssignUser(ctx, p.actor(carol.Email), site.ID, uma.ID, domain.RoleCustomerUser); err != nil {
			t.Fatal(err)
		}
		b := p.browser(carol.Email)
		if _, page := read(t)(b.Get(p.base + "/users/" + uma.ID)); !strings.Contains(page, "/users/"+uma.ID+"/history") {
			t.Fatal("the user page does not lead to the history")
		}
		st, page := read(t)(b.Get(p.base + "/users/" + uma.ID + "/history"))
		if st != http.StatusOK || !strings.Contains(page, "acme-prod") || !strings.Contains(page, "still") || !strings.Contains(page, "Person carol") {
			t.Fatalf("history page: %d", st)
		}
		if st, page := read(t)(b.Get(p.base + "/users/" + uma.ID + "/history?from=yesterday")); st == http.StatusOK || !strings.Contains(page, "as a date") {
			t.Fatalf("a bad date: %d", st)
		}
		st, csv := read(t)(b.Get(p.base + "/api/v1/users/" + uma.ID + "/access-history?format=csv&from=2020-01-01T00:00:00Z&to=2099-01-01T00:00:00Z"))
		if st != http.StatusOK || !strings.HasPrefix(csv, "site,role,via,from,to,granted_by") || !strings.Contains(csv, "acme-prod,customer_user,member") {
			t.Fatalf("CSV: %d %s", st, csv)
		}
	})
}
