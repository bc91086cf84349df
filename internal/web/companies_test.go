package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestCompanies_OperationsAgent: a site's operations agent renames a
// company and takes a user off it on the site's page; the user stays on
// the site (issue 14). R-SITE-3
func TestCompanies_OperationsAgent(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		ctx := context.Background()
		_, _, site := p.partnerRequest()
		org := p.userOrg("carol@acme.example")
		carol := p.actor("carol@acme.example")
		oscar := p.person(carol, org, "oscar@acme.example", domain.RoleCustomerOps)
		uma := p.person(carol, org, "uma@acme.example", domain.RoleCustomerUser)
		for _, u := range []*domain.User{oscar, uma} {
			if _, err := p.app.AssignUser(ctx, carol, site.ID, u.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		ops := p.actor("oscar@acme.example")
		co, err := p.app.CreateCompany(ctx, ops, site.ID, "Acme Kent")
		if err != nil {
			t.Fatal(err)
		}
		if err := p.app.AssignCompany(ctx, ops, co.ID, uma.ID); err != nil {
			t.Fatal(err)
		}
		browser := p.browser("oscar@acme.example")
		_, page := read(t)(browser.Get(p.base + "/sites/" + site.ID))
		if !strings.Contains(page, "Take off Acme Kent") || !strings.Contains(page, `action="/sites/`+site.ID+`/companies/`+co.ID+`/rename"`) {
			t.Fatal("the operations agent is not offered to rename the company or take uma off it")
		}
		_, page = read(t)(browser.PostForm(p.base+"/sites/"+site.ID+"/companies/"+co.ID+"/rename", url.Values{"name": {"Acme Kent & Sussex"}}))
		if !strings.Contains(page, "Renamed to Acme Kent &amp; Sussex.") {
			t.Fatal("rename not confirmed")
		}
		_, page = read(t)(browser.PostForm(p.base+"/sites/"+site.ID+"/company-users/remove", url.Values{"company_id": {co.ID}, "user_id": {uma.ID}}))
		if !strings.Contains(page, "Taken off the company") {
			t.Fatal("taking off not confirmed")
		}
		users, err := p.app.SiteUsers(ctx, carol, site.ID, domain.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, su := range users.Items {
			if su.UserID == uma.ID && len(su.Companies) != 0 {
				t.Fatalf("uma is still on %v", su.Companies)
			}
		}
		if _, page := read(t)(p.browser("carol@acme.example").Get(p.base + "/sites/" + site.ID)); strings.Contains(page, "Take off") {
			t.Fatal("a customer administrator is offered to staff companies (R-ROLE-2)")
		}
	})
}

// TestForms_KeepWhatWasTyped: a refused form shows again with what the
// person typed, next to the refusal; a password never travels back
// (issue 14). R-USER-2
func TestForms_KeepWhatWasTyped(t *testing.T) {
	p := startPlain(t, storetest.SQLite)
	carol, _, _ := p.partnerRequest()
	org := p.userOrg("carol@acme.example")
	_, page := read(t)(carol.PostForm(p.base+"/users", url.Values{"org_id": {org}, "name": {"Vera Temp"},
		"email": {"vera@mailinator.com"}, "role": {"customer_user"}, "password": {"not to be kept"}}))
	if !strings.Contains(page, "R-USER-2") || !strings.Contains(page, `value="Vera Temp"`) || !strings.Contains(page, `value="vera@mailinator.com"`) {
		t.Fatal("the refused invitation form is not filled again with what was typed")
	}
	if strings.Contains(page, "not to be kept") {
		t.Fatal("a password field came back")
	}
	if _, again := read(t)(carol.Get(p.base + "/users?org=" + org)); strings.Contains(again, `value="Vera Temp"`) {
		t.Fatal("what was typed stays after the next page")
	}
}
