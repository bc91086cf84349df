package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// TestScreenshots_Demo seeds a small, real-looking install and takes the
// README's screenshots of it, checking on the way that each page shows
// the seeded names. Refresh them with
//
//	PROVISIO_SCREENSHOTS=docs/screenshots go test ./internal/web -run TestScreenshots
//
// from the repository root (the path is relative to internal/web, so
// give ../../docs/screenshots there).
func TestScreenshots_Demo(t *testing.T) {
	u := start(t)
	d := u.demo()
	u.do(chromedp.EmulateViewport(1200, 800))

	u.signIn("olivia@vendor.example")
	u.navigate("/orgs", "main h1")
	u.waitText("main", "Harbour Dental")
	u.shot("organisations")
	u.signOut()

	u.signIn("carol.whitaker@harbourdental.example")
	u.navigate("/sites/"+d.site.ID, "main h1")
	u.waitText("main", "Uma Patel")
	u.shot("site-dashboard")
	u.navigate("/requests?state=pending", "main h1")
	u.waitText("main", "Pedro Alvarez")
	u.shot("requests")
	u.navigate("/audit", "main h1")
	u.waitText("main", "Carol Whitaker")
	u.shot("activity")
	u.signOut()

	u.signIn("paula.jensen@northwind.example")
	u.navigate("/", "main h1")
	u.waitText("main", "harbour-prod")
	u.shot("partner-dashboard")
}

type demo struct {
	site *domain.Site
}

// demo seeds a partner with two customers, their people and sites, a
// partner grant running and a request waiting, through the app.
func (u *ui) demo() demo {
	u.t.Helper()
	ctx, must := u.ctx, func(err error) {
		u.t.Helper()
		if err != nil {
			u.t.Fatal(err)
		}
	}
	northwind, err := u.app.CreateOrg(ctx, u.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Northwind Partners"})
	must(err)
	harbour, err := u.app.CreateOrg(ctx, u.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Harbour Dental", PartnerID: northwind.ID})
	must(err)
	acme, err := u.app.CreateOrg(ctx, u.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme Logistics", PartnerID: northwind.ID})
	must(err)
	_, err = u.app.CreateOrg(ctx, u.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Blue Fern Bakery"})
	must(err)
	paula := u.named(u.op, northwind.ID, "Paula Jensen", "paula.jensen@northwind.example", domain.RolePartnerAdmin)
	pedro := u.named(u.op, northwind.ID, "Pedro Alvarez", "pedro.alvarez@northwind.example", domain.RolePartnerAgent)
	u.named(u.op, harbour.ID, "Carol Whitaker", "carol.whitaker@harbourdental.example", domain.RoleCustomerAdmin)
	carol := u.actor("carol.whitaker@harbourdental.example")
	u.named(carol, harbour.ID, "Daniel Okafor", "daniel.okafor@harbourdental.example", domain.RoleCustomerAdmin)
	uma := u.named(carol, harbour.ID, "Uma Patel", "uma.patel@harbourdental.example", domain.RoleCustomerUser)
	oscar := u.named(carol, harbour.ID, "Oscar Lindqvist", "oscar.lindqvist@harbourdental.example", domain.RoleCustomerOps)
	u.named(u.op, acme.ID, "Amira Haddad", "amira.haddad@acmelogistics.example", domain.RoleCustomerAdmin)

	site, err := u.app.CreateSite(ctx, u.op, app.NewSite{CustomerID: harbour.ID, Name: "harbour-prod", Edition: domain.EditionStandard, Company: "Harbour Dental Ltd"})
	must(err)
	_, err = u.app.CreateSite(ctx, u.op, app.NewSite{CustomerID: harbour.ID, Name: "harbour-training", Edition: domain.EditionStandard})
	must(err)
	_, err = u.app.CreateSite(ctx, u.op, app.NewSite{CustomerID: acme.ID, Name: "acme-erp", Edition: domain.EditionProfessional})
	must(err)
	for _, p := range []*domain.User{oscar, uma} {
		_, err = u.app.AssignUser(ctx, carol, site.ID, p.ID, "")
		must(err)
	}
	ops := u.actor("oscar.lindqvist@harbourdental.example")
	kent, err := u.app.CreateCompany(ctx, ops, site.ID, "Harbour Dental Kent")
	must(err)
	must(u.app.AssignCompany(ctx, ops, kent.ID, uma.ID))
	res, err := u.app.RequestAccess(ctx, u.actor("paula.jensen@northwind.example"), site.ID, paula.ID, "")
	must(err)
	_, err = u.app.ApproveRequest(ctx, carol, res.Request.ID, 3*24*time.Hour)
	must(err)
	_, err = u.app.RequestAccess(ctx, u.actor("pedro.alvarez@northwind.example"), site.ID, pedro.ID, "")
	must(err)
	return demo{site: site}
}
