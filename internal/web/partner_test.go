package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestPartnerOfRecord_InTheUI: the partner of record is set on the
// customer's page (issue 14). The customer's administrators end the link
// after a confirmation, and the partner's pending request ends with it;
// they then ask another partner by its name, whose administrators accept;
// an operator chooses a partner from the list, which takes effect at
// once. R-ORG-1 R-PARTNER-6
func TestPartnerOfRecord_InTheUI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		ctx := context.Background()
		carol, req, _ := p.partnerRequest()
		org := p.userOrg("carol@acme.example")
		contoso, err := p.app.CreateOrg(ctx, p.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Contoso Resellers"})
		if err != nil {
			t.Fatal(err)
		}
		p.person(p.op, contoso.ID, "pete@contoso.example", domain.RolePartnerAdmin)

		_, page := read(t)(carol.Get(p.base + "/orgs/" + org))
		if !strings.Contains(page, "Northwind Partners is the partner of record") || !strings.Contains(page, `name="partner_name"`) ||
			strings.Contains(page, `name="partner_id"`) || strings.Contains(page, "Contoso") {
			t.Fatal("the customer's administrator: want the partner named, a field to ask one by name, and no list of partners")
		}
		st, page := read(t)(carol.Get(p.base + "/orgs/" + org + "/partner/drop"))
		if st != http.StatusOK || !strings.Contains(page, "End Northwind Partners") || !strings.Contains(page, `name="reason"`) {
			t.Fatalf("confirmation: %d", st)
		}
		read(t)(carol.PostForm(p.base+"/orgs/"+org+"/partner/drop", url.Values{"reason": {"we changed reseller"}}))
		if v, _ := p.app.OrgView(ctx, p.op, org); v.Org.PartnerID != "" {
			t.Fatal("the link was not ended")
		}
		if s := p.requestState(req.ID); s != domain.RequestWithdrawn {
			t.Fatalf("the partner's request is %s, want withdrawn (R-PARTNER-6)", s)
		}

		// An unknown name is answered as a known one is.
		_, unknown := read(t)(carol.PostForm(p.base+"/orgs/"+org+"/partner", url.Values{"partner_name": {"Nobody Ltd"}}))
		_, known := read(t)(carol.PostForm(p.base+"/orgs/"+org+"/partner", url.Values{"partner_name": {"contoso resellers"}}))
		if !strings.Contains(unknown, "If Nobody Ltd is one of our partners") || !strings.Contains(known, "If contoso resellers is one of our partners") {
			t.Fatal("the answer to asking is not the same for a known and an unknown name")
		}
		pete := p.browser("pete@contoso.example")
		if _, page := read(t)(pete.Get(p.base + "/orgs")); !strings.Contains(page, "Acme") {
			t.Fatal("Contoso's administrator does not see Acme's request")
		}
		read(t)(pete.PostForm(p.base+"/orgs/link-requests/"+org+"/accept", nil))
		if v, _ := p.app.OrgView(ctx, p.op, org); v.Org.PartnerID != contoso.ID {
			t.Fatalf("after Contoso accepted, the partner is %q", v.Org.PartnerID)
		}

		olivia := p.browser("olivia@vendor.example")
		_, page = read(t)(olivia.Get(p.base + "/orgs/" + org))
		if !strings.Contains(page, `name="partner_id"`) || !strings.Contains(page, ">Northwind Partners</option>") {
			t.Fatal("the operator is not offered the partners by name")
		}
		partners, err := p.app.Orgs(ctx, p.op, domain.OrgFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var northwind string
		for _, o := range partners.Items {
			if o.Name == "Northwind Partners" {
				northwind = o.ID
			}
		}
		_, page = read(t)(olivia.PostForm(p.base+"/orgs/"+org+"/partner", url.Values{"partner_id": {northwind}}))
		if !strings.Contains(page, "Northwind Partners is now the partner of record of Acme") {
			t.Fatal("the operator's change is not confirmed by name")
		}
		if v, _ := p.app.OrgView(ctx, p.op, org); v.Org.PartnerID != northwind {
			t.Fatal("the operator's choice did not take effect")
		}
		// A user without the say is refused.
		p.person(p.actor("carol@acme.example"), org, "uma@acme.example", domain.RoleCustomerUser)
		if st, _ := read(t)(p.browser("uma@acme.example").Get(p.base + "/orgs/" + org + "/partner/drop")); st == http.StatusOK {
			t.Fatal("a customer user was offered to end the link")
		}
	})
}
