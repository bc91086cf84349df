package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestActivityPage: the activity log reads in sentences with names, newest
// first, pages older and back, filters by kind and by a person's email,
// and refuses a bad date in words (R-AUDIT-1).
func TestActivityPage(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		ctx := context.Background()
		cust, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		carol := p.person(p.op, cust.ID, "carol@acme.example", domain.RoleCustomerAdmin)
		for i := range 60 {
			name := "Acme " + string(rune('A'+i%26))
			if _, err := p.app.UpdateOrg(ctx, p.actor(carol.Email), cust.ID, domain.OrgUpdate{Name: &name}); err != nil {
				t.Fatal(err)
			}
		}
		uma := p.person(p.actor(carol.Email), cust.ID, "uma@acme.example", domain.RoleCustomerUser)
		b := p.browser("olivia@vendor.example")
		st, page := read(t)(b.Get(p.base + "/audit"))
		rows := regexp.MustCompile(`<tr data-seq="(\d+)"><td>[^<]*</td>\s*<td>([^<]*)`).FindAllStringSubmatch(page, -1)
		if st != http.StatusOK || len(rows) != 50 || !strings.Contains(page, "Person carol added Person uma to Acme") {
			t.Fatalf("first page: %d, %d rows", st, len(rows))
		}
		for i := 1; i < len(rows); i++ {
			if rows[i][1] >= rows[i-1][1] && len(rows[i][1]) >= len(rows[i-1][1]) {
				t.Fatalf("not newest first: %s after %s", rows[i][1], rows[i-1][1])
			}
		}
		if m := regexp.MustCompile(`>[^<]*\b(usr|org|site)_[0-9a-z]{10,}[^<]*`).FindString(page); m != "" {
			t.Fatalf("the page shows ids to read: %s", m)
		}
		older := regexp.MustCompile(`href="(/audit\?before=\d+)"`).FindStringSubmatch(page)
		if older == nil {
			t.Fatal("no Older link")
		}
		_, page = read(t)(b.Get(p.base + strings.ReplaceAll(older[1], "&amp;", "&")))
		if !strings.Contains(page, "← Newer") {
			t.Fatal("the older page has no Newer link")
		}
		_, page = read(t)(b.Get(p.base + "/audit?kind=user.&person=carol@acme.example"))
		if !strings.Contains(page, "Person carol added Person uma to") || strings.Contains(page, "changed the settings") {
			t.Fatal("the kind and person filters")
		}
		if st, page := read(t)(b.Get(p.base + "/audit?from=last+week")); st == http.StatusOK || !strings.Contains(page, "as a date") {
			t.Fatalf("a bad date: %d", st)
		}
		_ = uma
	})
}
