package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestOrgSettings_InTheUI: an organisation's administrators rename it and
// choose its main contact on its page, with the other settings kept; only
// operators see and set the demo flag (issue 14). R-ORG-2 R-ROLE-3 R-PLUS-3
func TestOrgSettings_InTheUI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, _ := p.partnerRequest()
		ctx := context.Background()
		org := p.userOrg("carol@acme.example")
		dan := p.person(p.actor("carol@acme.example"), org, "dan@acme.example", domain.RoleCustomerAdmin)
		_, page := read(t)(carol.Get(p.base + "/orgs/" + org))
		if !strings.Contains(page, `id="org-name"`) || !strings.Contains(page, `id="org-contact"`) || strings.Contains(page, `name="demo"`) {
			t.Fatal("the administrator's settings form: want name and main contact, no demo flag")
		}
		st, _ := read(t)(carol.PostForm(p.base+"/orgs/"+org+"/settings", url.Values{"name": {"Acme Corp"}, "main_contact_id": {dan.ID},
			"require_mfa": {"on"}}))
		o, err := p.app.OrgView(ctx, p.op, org)
		if err != nil || st != http.StatusOK || o.Org.Name != "Acme Corp" || o.Org.MainContactID != dan.ID || !o.Org.RequireMFA {
			t.Fatalf("saved: %d %+v %v", st, o.Org, err)
		}
		olivia := p.browser("olivia@vendor.example")
		if _, page := read(t)(olivia.Get(p.base + "/orgs/" + org)); !strings.Contains(page, `name="demo"`) {
			t.Fatal("the operator is not offered the demo flag")
		}
		read(t)(olivia.PostForm(p.base+"/orgs/"+org+"/settings", url.Values{"name": {"Acme Corp"}, "main_contact_id": {dan.ID},
			"demo": {"on"}, "require_mfa": {"on"}}))
		if o, _ := p.app.OrgView(ctx, p.op, org); !o.Org.Demo {
			t.Fatal("the demo flag was not set")
		}
		if st, page := read(t)(carol.PostForm(p.base+"/orgs/"+org+"/settings", url.Values{"name": {"  "}})); st != http.StatusOK || !strings.Contains(page, "needs a name") {
			t.Fatalf("an empty name: %d", st)
		}
	})
}

// TestWebhooks_InTheUI: an organisation's administrators add a webhook on
// its page and see its signing secret once, then its deliveries, and
// remove it (issue 14, R-PLUS-2).
func TestWebhooks_InTheUI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, _ := p.partnerRequest()
		ctx := context.Background()
		org := p.userOrg("carol@acme.example")
		st, page := read(t)(carol.PostForm(p.base+"/orgs/"+org+"/webhooks", url.Values{"url": {"https://hooks.acme.example/provisio"}}))
		if st != http.StatusOK || !strings.Contains(page, `id="new-hook"`) || !strings.Contains(page, "https://hooks.acme.example/provisio") {
			t.Fatalf("add: %d", st)
		}
		if _, again := read(t)(carol.Get(p.base + "/orgs/" + org)); strings.Contains(again, `id="new-hook"`) {
			t.Fatal("the secret is shown twice")
		}
		p.person(p.actor("carol@acme.example"), org, "uma@acme.example", domain.RoleCustomerUser) // an event
		_, page = read(t)(carol.Get(p.base + "/orgs/" + org))
		if !strings.Contains(page, "<td>"+domain.NoticeInvitation+"</td>") {
			t.Fatal("the delivery log is not on the page")
		}
		hooks, err := p.app.Webhooks(ctx, p.op, org)
		if err != nil || len(hooks) != 1 {
			t.Fatalf("hooks: %v %v", hooks, err)
		}
		read(t)(carol.PostForm(p.base+"/orgs/"+org+"/webhooks/"+hooks[0].ID+"/delete", nil))
		if hooks, _ := p.app.Webhooks(ctx, p.op, org); len(hooks) != 0 {
			t.Fatal("not removed")
		}
		if st, page := read(t)(carol.PostForm(p.base+"/orgs/"+org+"/webhooks", url.Values{"url": {"ftp://x"}})); st != http.StatusOK || !strings.Contains(page, "R-PLUS-2") && !strings.Contains(page, "http") {
			t.Fatalf("a bad address: %d", st)
		}
	})
}

// TestSSO_InTheUI: an organisation's administrators set up sign-in
// through their identity provider on its page; the claimed domain shows
// the DNS record that proves it, and the secret is never shown (issue 14).
func TestSSO_InTheUI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, _ := p.partnerRequest()
		org := p.userOrg("carol@acme.example")
		st, page := read(t)(carol.PostForm(p.base+"/orgs/"+org+"/sso", url.Values{"issuer": {"https://login.acme.example"},
			"client_id": {"provisio"}, "client_secret": {"s3cret-value"}, "allowed_domains": {"acme.example"}}))
		if st != http.StatusOK || !strings.Contains(page, "Sign-in set up") || !strings.Contains(page, "acme.example") ||
			!strings.Contains(page, "not proven") || !strings.Contains(page, "TXT record") || strings.Contains(page, "s3cret-value") {
			t.Fatalf("set up: %d", st)
		}
		if !strings.Contains(page, `value="https://login.acme.example"`) || !strings.Contains(page, "(set; leave empty to keep it)") {
			t.Fatal("the form does not show what is set")
		}
		if st, page := read(t)(carol.PostForm(p.base+"/orgs/"+org+"/sso", url.Values{"issuer": {"not a url"}, "client_id": {"x"},
			"allowed_domains": {"acme.example"}})); st != http.StatusOK || !strings.Contains(strings.ToLower(page), "issuer must") && !strings.Contains(strings.ToLower(page), "the issuer") {
			t.Fatalf("a bad issuer: %d", st)
		}
	})
}
