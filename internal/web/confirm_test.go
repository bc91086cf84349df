package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestConsequentialActions_Confirm: deny, revoke, remove, delete and
// cancel each ask first on a plain page (no script) that says what will
// happen; the reason given there goes in the notice to the person told
// and in the activity log (issue 14). R-PARTNER-1 R-PARTNER-4 R-ASSIGN-3
// R-USER-5 R-SITE-2 R-AUDIT-1
func TestConsequentialActions_Confirm(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		ctx := context.Background()
		carol, req, site := p.partnerRequest()
		ask := func(b *http.Client, path, want string) string {
			t.Helper()
			st, page := read(t)(b.Get(p.base + path))
			page = html.UnescapeString(page)
			if st != http.StatusOK || !strings.Contains(page, want) || !strings.Contains(page, `id="confirm"`) || !strings.Contains(page, `name="reason"`) {
				t.Fatalf("GET %s: %d, no confirmation saying %q", path, st, want)
			}
			return page
		}
		lastMail := func(email, kind string) string { return p.lastMail(email, kind) }

		// Deny, with a reason the partner user reads.
		if _, page := read(t)(carol.Get(p.base + "/sites/" + site.ID)); !strings.Contains(page, "/requests/"+req.ID+"/deny?back=") {
			t.Fatal("the site page's Deny does not ask first")
		}
		ask(carol, "/requests/"+req.ID+"/deny", "Deny Person paula's request for access to acme-prod?")
		read(t)(carol.PostForm(p.base+"/requests/"+req.ID+"/deny", url.Values{"reason": {"no open ticket"}}))
		if st := p.requestState(req.ID); st != domain.RequestDenied || !strings.Contains(lastMail("paula@northwind.example", domain.NoticeAccessDenied), "no open ticket") {
			t.Fatalf("deny: %s", st)
		}

		// Revoke granted access, with a reason.
		paula := p.userID("paula@northwind.example")
		res, err := p.app.RequestAccess(ctx, p.actor("paula@northwind.example"), site.ID, paula, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.app.ApproveRequest(ctx, p.actor("carol@acme.example"), res.Request.ID, 0); err != nil {
			t.Fatal(err)
		}
		ask(carol, "/sites/"+site.ID+"/partner-access/revoke?user_id="+paula, "Revoke Person paula's partner access to acme-prod?")
		read(t)(carol.PostForm(p.base+"/sites/"+site.ID+"/partner-access/revoke", url.Values{"user_id": {paula}, "reason": {"work finished"}}))
		if !strings.Contains(lastMail("paula@northwind.example", domain.NoticeAccessRevoked), "work finished") {
			t.Fatal("the revocation notice has no reason")
		}

		// Remove a member from the site, then delete them; the reasons are in the log.
		cust := p.userOrg("carol@acme.example")
		uma := p.person(p.actor("carol@acme.example"), cust, "uma@acme.example", domain.RoleCustomerUser)
		if _, err := p.app.AssignUser(ctx, p.actor("carol@acme.example"), site.ID, uma.ID, ""); err != nil {
			t.Fatal(err)
		}
		ask(carol, "/sites/"+site.ID+"/remove?user_id="+uma.ID, "Take Person uma off acme-prod?")
		read(t)(carol.PostForm(p.base+"/sites/"+site.ID+"/remove", url.Values{"user_id": {uma.ID}, "reason": {"moved to sales"}}))
		ask(carol, "/users/"+uma.ID+"/delete", "Delete Person uma (uma@acme.example)?")
		read(t)(carol.PostForm(p.base+"/users/"+uma.ID+"/delete", url.Values{"reason": {"left the company"}}))
		if u, err := p.app.User(ctx, p.op, uma.ID); err != nil || u.State != domain.UserDeleted {
			t.Fatalf("uma: %v %v", u, err)
		}
		for action, reason := range map[string]string{"assignment.delete": "moved to sales", "user.delete": "left the company",
			"access_request.deny": "no open ticket", "partner_access.revoke": "work finished"} {
			es, err := p.app.Audit(ctx, p.op, domain.AuditFilter{Action: &action, Limit: 10})
			if err != nil || len(es) == 0 || !strings.Contains(string(es[len(es)-1].After), reason) {
				t.Fatalf("%s: no reason %q in the log: %v", action, reason, err)
			}
		}

		// Cancel the site: the operator is asked, and the notice carries the reason.
		olivia := p.browser("olivia@vendor.example")
		ask(olivia, "/sites/"+site.ID+"/cancel", "Cancel the site acme-prod?")
		read(t)(olivia.PostForm(p.base+"/sites/"+site.ID+"/cancel", url.Values{"reason": {"contract ended"}}))
		if s, _ := p.app.Site(ctx, p.op, site.ID); s.State != domain.SiteCancelled ||
			!strings.Contains(lastMail("carol@acme.example", domain.NoticeSiteCancelled), "contract ended") {
			t.Fatalf("cancel: %s", s.State)
		}
		// Customers are not offered what they may not do.
		if st, _ := read(t)(carol.Get(p.base + "/sites/" + site.ID + "/cancel")); st == http.StatusOK {
			t.Fatal("a customer is asked to confirm a cancellation it may not make")
		}
	})
}

// TestPartnerAdmin_EndsAgentsAccess: a partner administrator sees each
// agent's access to customer sites on the dashboard and ends one, after
// confirming; the customer's administrators are told with the reason
// (issue 14, R-PARTNER-4).
func TestPartnerAdmin_EndsAgentsAccess(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		ctx := context.Background()
		carol, req, site := p.partnerRequest()
		if _, err := p.app.ApproveRequest(ctx, p.actor("carol@acme.example"), req.ID, 0); err != nil {
			t.Fatal(err)
		}
		_ = carol
		paula := p.browser("paula@northwind.example")
		_, page := read(t)(paula.Get(p.base + "/"))
		end := "/sites/" + site.ID + "/partner-access/unassign?user_id=" + req.UserID
		if !strings.Contains(html.UnescapeString(page), end) {
			t.Fatal("the partner administrator's dashboard offers no End access")
		}
		st, page := read(t)(paula.Get(p.base + end))
		if st != http.StatusOK || !strings.Contains(html.UnescapeString(page), "End Person paula's access to acme-prod?") {
			t.Fatalf("confirmation: %d", st)
		}
		read(t)(paula.PostForm(p.base+"/sites/"+site.ID+"/partner-access/unassign", url.Values{"user_id": {req.UserID}, "reason": {"project over"}}))
		if dec, _ := p.app.Access(ctx, p.op, site.ID, req.UserID, ""); dec.Allowed {
			t.Fatal("the access did not end")
		}
		if !strings.Contains(p.lastMail("carol@acme.example", domain.NoticeAccessRemoved), "project over") {
			t.Fatal("the customer was not told the reason")
		}
	})
}
