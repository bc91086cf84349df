package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// setup gives a journey a customer with two administrators and an
// operations agent on a ready site with a company, linked to a partner
// with an administrator.
type cast struct {
	partner, customer *domain.Org
	site              *domain.Site
	carol             app.Actor
}

func (u *ui) cast() cast {
	u.t.Helper()
	ctx := u.ctx
	partner, err := u.app.CreateOrg(ctx, u.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Northwind Partners"})
	if err != nil {
		u.t.Fatal(err)
	}
	customer, err := u.app.CreateOrg(ctx, u.op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme", PartnerID: partner.ID})
	if err != nil {
		u.t.Fatal(err)
	}
	u.person(u.op, partner.ID, "paula@northwind.example", domain.RolePartnerAdmin)
	u.person(u.op, customer.ID, "carol@acme.example", domain.RoleCustomerAdmin)
	u.person(u.op, customer.ID, "dan@acme.example", domain.RoleCustomerAdmin)
	carol := u.actor("carol@acme.example")
	oscar := u.person(carol, customer.ID, "oscar@acme.example", domain.RoleCustomerOps)
	site, err := u.app.CreateSite(ctx, u.op, app.NewSite{CustomerID: customer.ID, Name: "acme-prod", Edition: domain.EditionStandard, Company: "Acme Ltd"})
	if err != nil {
		u.t.Fatal(err)
	}
	if _, err := u.app.AssignUser(ctx, carol, site.ID, oscar.ID, ""); err != nil {
		u.t.Fatal(err)
	}
	return cast{partner: partner, customer: customer, site: site, carol: carol}
}

// TestJourney_CustomerAdministrator: sign in, invite a user, open the
// invitation as that user and set a password, then assign the user to
// the site; the site's operations agent adds it to a company (customer
// administrators may not, R-ROLE-2). R-USER-4 R-ASSIGN-2 R-SITE-3
func TestJourney_CustomerAdministrator(t *testing.T) {
	u := start(t)
	c := u.cast()
	u.signIn("carol@acme.example")
	u.shot("dashboard-customer-admin")
	u.navigate("/users", "#invite")
	u.do(chromedp.SetValue(chromedp.CSS("#inv-name"), "Uma User"),
		chromedp.SetValue(chromedp.CSS("#inv-email"), "uma@acme.example"),
		chromedp.Click(chromedp.CSS(`input[name=role][value=customer_user]`)),
		chromedp.Click(chromedp.CSS(`form[method=post][action="/users"] button[type=submit]`)))
	u.flash("Invited uma@acme.example")
	u.flash("Notifications page") // no mail server here
	u.shot("users")

	// With no mail server, Carol finds the link to pass on among her
	// notifications (issue 14), the same one Uma's invitation carries.
	u.navigate("/notifications", "article.notice")
	link, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](`(document.querySelector('article.notice a[href*="/invitations/"]') || {}).href || ""`))
	if err != nil || link == "" || !strings.Contains(u.lastMail("uma@acme.example", domain.NoticeInvitation), link) {
		t.Fatalf("no invitation link on Carol's Notifications page (%v):\n%s", err, u.page())
	}
	u.shot("notifications")
	u.signOut()

	// Uma opens the invitation and sets her password.
	u.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SetValue(chromedp.CSS("#password"), password), chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("p.ok")))
	if got := u.text("p.ok"); !strings.Contains(got, "registered as uma@acme.example") {
		t.Fatalf("registration page: %q", got)
	}

	// Carol assigns her to the site; the page says who will be told.
	u.signIn("carol@acme.example")
	u.navigate("/sites/"+c.site.ID, "#assign")
	if n := u.text("#assign .notify"); !strings.Contains(n, "Person carol") || !strings.Contains(n, "Person dan") {
		t.Fatalf("who will be told: %q", n)
	}
	uma, err := u.app.Users(u.ctx, c.carol, domain.UserFilter{OrgID: &c.customer.ID, Search: ptr("uma")})
	if err != nil || len(uma.Items) != 1 {
		t.Fatal(err)
	}
	u.do(chromedp.SetValue(chromedp.CSS("#a-user"), uma.Items[0].ID), chromedp.Click(chromedp.CSS(`#assign button[type=submit]`)))
	u.flash("Assigned")
	u.shot("journey-site-dashboard")
	u.signOut()

	u.signIn("oscar@acme.example")
	u.navigate("/sites/"+c.site.ID, "#cu-user")
	u.do(chromedp.SetValue(chromedp.CSS("#cu-user"), uma.Items[0].ID), chromedp.Click(chromedp.CSS(`form[action$="/company-users"] button`)))
	u.flash("Assigned to the company")
	cos, _ := u.app.Companies(u.ctx, u.op, c.site.ID, domain.Page{})
	d, err := u.app.Access(u.ctx, u.op, c.site.ID, uma.Items[0].ID, cos.Items[0].ID)
	if err != nil || !d.Allowed {
		t.Fatalf("uma's access to the company: %+v %v", d, err)
	}
	if n := len(u.mails("carol@acme.example", domain.NoticeUserAdded)); n < 2 { // oscar in set-up, uma here
		t.Fatalf("carol was told of %d assignments", n)
	}
}

// TestJourney_PartnerAdministrator: request access; the customer's
// administrator approves from the email link; the partner sees the access
// with its expiry. R-PARTNER-1 R-PARTNER-2
func TestJourney_PartnerAdministrator(t *testing.T) {
	u := start(t)
	c := u.cast()
	u.signIn("paula@northwind.example")
	u.navigate("/sites/"+c.site.ID, "#partner")
	if n := u.text("#partner .notify"); !strings.Contains(n, "emailed to approve") {
		t.Fatalf("who will be told: %q", n)
	}
	u.do(chromedp.Click(chromedp.CSS(`#partner form[action$="/partner-access"] button`)))
	u.flash("Requested")
	u.signOut()

	// Carol approves from the link in her email; no sign-in needed.
	link := regexp.MustCompile(`http://\S+/access/\S+\?action=approve`).FindString(u.lastMail("carol@acme.example", domain.NoticeAccessRequested))
	u.do(chromedp.Navigate(link))
	u.waitText("body", "Approve access for")
	u.shot("approve-from-email")
	u.do(chromedp.Click(chromedp.CSS("form button")), chromedp.WaitVisible(chromedp.CSS("p.ok")))

	u.signIn("paula@northwind.example")
	u.navigate("/sites/"+c.site.ID, "#my-access")
	want := time.Now().UTC().Add(7 * 24 * time.Hour).Format("2 Jan 2006")
	if got := u.text("#my-access"); !strings.Contains(got, "granted until") || !strings.Contains(got, want) {
		t.Fatalf("partner's view of the access: %q (want until %s)", got, want)
	}
	u.navigate("/", "#h-grants")
	if got := u.text("#h-grants + ul"); !strings.Contains(got, "acme-prod") {
		t.Fatalf("dashboard grants: %q", got)
	}
	u.shot("journey-partner-dashboard")
}

// TestJourney_Operator: create a partner and a customer, then suspend and
// restore a site, and cancel it after a confirmation. R-SITE-1 R-SITE-2
func TestJourney_Operator(t *testing.T) {
	u := start(t)
	u.signIn("olivia@vendor.example")
	u.navigate("/orgs", "#org-name")
	u.do(chromedp.SetValue(chromedp.CSS("#org-kind"), "partner"), chromedp.SetValue(chromedp.CSS("#org-name"), "Contoso Partners"),
		chromedp.Click(chromedp.CSS(`form[method=post][action="/orgs"] button`)))
	u.flash("Created partner Contoso Partners")
	u.navigate("/orgs", "#org-name")
	u.do(chromedp.SetValue(chromedp.CSS("#org-kind"), "customer"), chromedp.SetValue(chromedp.CSS("#org-name"), "Fabrikam"))
	partners, _ := u.app.Orgs(u.ctx, u.op, domain.OrgFilter{Kind: ptr(domain.OrgPartner)})
	u.do(chromedp.SetValue(chromedp.CSS("#org-partner"), partners.Items[0].ID), chromedp.Click(chromedp.CSS(`form[method=post][action="/orgs"] button`)))
	u.flash("Created customer Fabrikam")
	u.shot("organisation")

	u.navigate("/sites", "#s-name")
	u.do(chromedp.SetValue(chromedp.CSS("#s-name"), "fabrikam-prod"), chromedp.Click(chromedp.CSS(`form[method=post][action="/sites"] button`)))
	u.flash("Site fabrikam-prod is ready")
	u.do(chromedp.SetValue(chromedp.CSS("#reason"), "Unpaid invoice"),
		chromedp.SetValue(chromedp.CSS("#until"), time.Now().AddDate(0, 1, 0).Format("2006-01-02")),
		chromedp.Click(chromedp.CSS(`#state form button`)))
	u.flash("Suspended")
	if got := u.text("h1 .badge"); got != "suspended" {
		t.Fatalf("state badge: %q", got)
	}
	u.shot("site-suspended")
	u.do(chromedp.Click(chromedp.CSS(`#state form button.primary`)))
	u.flash("ready again")
	if got := u.text("h1 .badge"); got != "ready" {
		t.Fatalf("state badge after restore: %q", got)
	}
	if n := len(u.mails("olivia@vendor.example", domain.NoticeSiteSuspended)); n != 1 {
		t.Fatalf("operators told of the suspension: %d", n)
	}

	// Cancelling asks first, on a page that says what will happen; going
	// back changes nothing, confirming with a reason cancels (issue 14).
	u.do(chromedp.Click(chromedp.CSS(`a[href$="/cancel"]`)))
	u.waitText("main h1", "Cancel the site fabrikam-prod?")
	u.shot("cancel-confirm")
	u.do(chromedp.Click(chromedp.CSS(`#confirm a.button`)))
	u.waitText("h1 .badge", "ready")
	u.do(chromedp.Click(chromedp.CSS(`a[href$="/cancel"]`)))
	u.waitText("main h1", "Cancel the site fabrikam-prod?")
	u.do(chromedp.SetValue(chromedp.CSS("#reason"), "Contract ended"), chromedp.Click(chromedp.CSS(`#confirm button.danger`)))
	u.waitText("h1 .badge", "cancelled")
}

func (u *ui) mails(email, kind string) []*domain.Notice {
	l, _ := u.app.Mailbox(u.ctx, u.op, domain.NoticeFilter{ToEmail: &email, Kind: &kind, Page: domain.Page{Limit: 200}})
	return l.Items
}

func ptr[T any](v T) *T { return &v }
