package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/directory/ldaptest"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestDirectoryPages: an operator sets a professional site's directory on
// its page and tests it; a person let into the site finds the account on
// the Directory accounts page and sees its one-time password once; the
// site page lists the accounts (R-APP-3).
func TestDirectoryPages(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		srv := ldaptest.Start(t)
		p := startPlain(t, d)
		ctx := context.Background()
		cust, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		carol := p.person(p.op, cust.ID, "carol@acme.example", domain.RoleCustomerAdmin)
		uma := p.person(p.op, cust.ID, "uma@acme.example", domain.RoleCustomerUser)
		site, err := p.app.CreateSite(ctx, p.op, app.NewSite{CustomerID: cust.ID, Name: "acme-pro", Edition: domain.EditionProfessional})
		if err != nil {
			t.Fatal(err)
		}
		olivia := p.browser("olivia@vendor.example")
		cfg := srv.Config()
		st, page := read(t)(olivia.PostForm(p.base+"/sites/"+site.ID+"/directory", url.Values{"url": {cfg.URL}, "kind": {"openldap"},
			"bind_dn": {cfg.BindDN}, "bind_password": {cfg.BindPassword}, "base_dn": {cfg.BaseDN}}))
		if st != http.StatusOK || !strings.Contains(page, "Directory saved") || !strings.Contains(page, `value="`+cfg.BaseDN+`"`) ||
			strings.Contains(page, cfg.BindPassword) {
			t.Fatalf("save directory: %d", st)
		}
		if _, page := read(t)(olivia.PostForm(p.base+"/sites/"+site.ID+"/directory/test", nil)); !strings.Contains(page, "Connected to") {
			t.Fatal("the connection test does not say it connected")
		}
		if _, page := read(t)(olivia.PostForm(p.base+"/sites/"+site.ID+"/directory", url.Values{"url": {"ldap://ldap.acme.example"},
			"bind_dn": {cfg.BindDN}, "base_dn": {cfg.BaseDN}})); !strings.Contains(page, "in clear") {
			t.Fatal("a directory reached in clear is not refused on the page")
		}

		if _, err := p.app.AssignUser(ctx, p.actor(carol.Email), site.ID, uma.ID, domain.RoleCustomerUser); err != nil {
			t.Fatal(err)
		}
		if err := p.app.SyncDirectory(ctx, site.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, page := read(t)(p.browser(carol.Email).Get(p.base + "/sites/" + site.ID)); !strings.Contains(page, "uid=uma@acme.example,"+ldaptest.PeopleDN) ||
			strings.Contains(page, "Save directory") {
			t.Fatal("the customer's site page: want the accounts, without the settings")
		}
		b := p.browser(uma.Email)
		_, page = read(t)(b.Get(p.base + "/directory-accounts"))
		if !strings.Contains(page, "acme-pro") || !strings.Contains(page, "Show one-time password") {
			t.Fatal("the person's page does not offer the password")
		}
		resp, err := b.PostForm(p.base+"/directory-accounts/"+site.ID+"/password", nil)
		if err != nil {
			t.Fatal(err)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		_, page = read(t)(resp, nil)
		m := regexp.MustCompile(`<code id="one-time-password">([^<]+)</code>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no password on the page")
		}
		pw := strings.NewReplacer("&#43;", "+", "&amp;", "&", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(m[1])
		if err := srv.BindAs("uid=uma@acme.example,"+ldaptest.PeopleDN, pw); !errors.Is(err, ldaptest.ErrMustChange) {
			t.Fatalf("bind with the shown password: %v", err)
		}
		_, page = read(t)(b.PostForm(p.base+"/directory-accounts/"+site.ID+"/password", nil))
		if strings.Contains(page, `id="one-time-password"`) || !strings.Contains(page, "is not kept") {
			t.Fatal("the password was shown twice")
		}
	})
}
