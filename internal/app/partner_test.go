package app_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

var accessLinkRE = regexp.MustCompile(`/access/([A-Za-z0-9_-]+)\?action=(approve|deny|extend)`)

// mailed returns the notices of kind sent to email, oldest first.
func (w *world) mailed(email, kind string) []*domain.Notice {
	w.t.Helper()
	ns := must(w.t, of(w.app.Mailbox(w.ctx, app.System, domain.NoticeFilter{ToEmail: &email, Kind: &kind, Page: domain.Page{Limit: 200}})))
	return ns.Items
}

// accessLinkIn returns the token of the action link in a notice.
func accessLinkIn(t testing.TB, n *domain.Notice, action string) string {
	t.Helper()
	for _, m := range accessLinkRE.FindAllStringSubmatch(n.Body, -1) {
		if m[2] == action {
			return m[1]
		}
	}
	t.Fatalf("no %s link in %q", action, n.Body)
	return ""
}

func (w *world) allowed(userID string) bool {
	w.t.Helper()
	return must(w.t, of(w.app.Access(w.ctx, app.System, w.site.ID, userID, ""))).Allowed
}

// TestPartnerAccess_StandardFlow: request → email with link → approve →
// access → reminder → expiry → notices to both sides → access refused.
// R-PARTNER-1 R-PARTNER-2 R-PLUS-1 R-NOTE-1
func TestPartnerAccess_StandardFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		agent := w.actor(w.pAgent.ID)
		res, err := w.app.RequestAccess(w.ctx, agent, w.site.ID, w.pAgent.ID, "")
		if err != nil || res.Request == nil || res.Request.State != domain.RequestPending {
			t.Fatalf("request: %+v %v", res, err)
		}
		if w.allowed(w.pAgent.ID) {
			t.Fatal("R-PARTNER-1: nothing is reachable before approval")
		}
		// Each customer administrator gets the request with its own links.
		for _, email := range []string{w.cAdmin.User.Email, w.cAdmin2.Email} {
			if n := w.mailed(email, domain.NoticeAccessRequested); len(n) != 1 {
				t.Fatalf("%s got %d requests", email, len(n))
			}
		}
		n := w.mailed(w.cAdmin2.Email, domain.NoticeAccessRequested)[0]
		w.clock.Add(time.Hour)
		la, err := w.app.UseLink(w.ctx, "203.0.113.9", accessLinkIn(t, n, "approve"))
		if err != nil || la.Action != "approve" {
			t.Fatalf("approve by link: %+v %v", la, err)
		}
		// The link works once, and the other administrator's links are void now.
		if _, err := w.app.UseLink(w.ctx, "", accessLinkIn(t, n, "approve")); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("reused link: %v", err)
		}
		other := w.mailed(w.cAdmin.User.Email, domain.NoticeAccessRequested)[0]
		if _, err := w.app.UseLink(w.ctx, "", accessLinkIn(t, other, "deny")); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("other admin's link after the answer: %v", err)
		}
		if !w.allowed(w.pAgent.ID) {
			t.Fatal("R-PARTNER-2: approved access must be usable")
		}
		if len(w.mailed(w.pAgent.Email, domain.NoticeAccessGranted)) != 1 ||
			len(w.mailed(w.cAdmin.User.Email, domain.NoticeAccessApproved)) != 1 {
			t.Fatal("R-PARTNER-2: granted and confirmation notices")
		}
		d := must(t, of(w.app.Access(w.ctx, app.System, w.site.ID, w.pAgent.ID, "")))
		if want := w.clock.Now().Add(7 * 24 * time.Hour); !d.ExpiresAt.Equal(want) || d.Via != domain.ViaPartner {
			t.Fatalf("access runs 7 days from approval: %+v, want %v", d, want)
		}

		// A day before the end: the reminder with a one-step extend link.
		w.clock.Add(6*24*time.Hour + time.Minute)
		if r := must(t, of(w.app.Sweep(w.ctx))); r.Reminders != 1 || r.Expired != 0 {
			t.Fatalf("sweep: %+v", r)
		}
		if r := must(t, of(w.app.Sweep(w.ctx))); r.Reminders != 0 {
			t.Fatalf("second sweep reminds again: %+v", r)
		}
		rem := w.mailed(w.pAgent.Email, domain.NoticeAccessReminder)
		if len(rem) != 1 || accessLinkIn(t, rem[0], "extend") == "" {
			t.Fatalf("reminder: %v", rem)
		}

		// The end: the expiry is honoured at once, before any sweep.
		w.clock.Add(24 * time.Hour)
		if w.allowed(w.pAgent.ID) {
			t.Fatal("expired access must be refused before the sweep runs")
		}
		if su := must(t, of(w.app.SiteUsers(w.ctx, w.cAdmin, w.site.ID, domain.Page{}))); len(su.Items) != 0 {
			t.Fatalf("dashboard lists expired access: %v", su.Items)
		}
		if r := must(t, of(w.app.Sweep(w.ctx))); r.Expired != 1 {
			t.Fatalf("sweep: %+v", r)
		}
		for _, email := range []string{w.pAgent.Email, w.cAdmin.User.Email, w.cAdmin2.Email} {
			if len(w.mailed(email, domain.NoticeAccessExpired)) != 1 {
				t.Fatalf("R-PARTNER-2: %s not told of the expiry", email)
			}
		}
		if r := must(t, of(w.app.Sweep(w.ctx))); r.Expired != 0 {
			t.Fatalf("expiry ran twice: %+v", r)
		}
	})
}

// TestPartnerAccess_Professional: immediate access, the customer told, no
// expiry. R-PARTNER-3
func TestPartnerAccess_Professional(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		pro := must(t, of(w.app.CreateSite(w.ctx, w.pAdmin, app.NewSite{CustomerID: w.customer.ID, Name: "acme-pro", Edition: domain.EditionProfessional})))
		res, err := w.app.RequestAccess(w.ctx, w.pAdmin, pro.ID, w.pAgent.ID, "")
		if err != nil || res.Assignment == nil || !res.Assignment.ExpiresAt.IsZero() {
			t.Fatalf("professional: %+v %v", res, err)
		}
		if len(w.mailed(w.cAdmin.User.Email, domain.NoticePartnerImmediate)) != 1 {
			t.Fatal("the customer's administrators are told")
		}
		w.clock.Add(400 * 24 * time.Hour)
		if d := must(t, of(w.app.Access(w.ctx, app.System, pro.ID, w.pAgent.ID, ""))); !d.Allowed {
			t.Fatalf("professional access does not expire: %+v", d)
		}
	})
}

// TestPartnerAccess_EndEarly covers deny, revoke, unassign and a request
// that nobody answers. R-PARTNER-4
func TestPartnerAccess_EndEarly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		agent := w.actor(w.pAgent.ID)
		request := func() *domain.AccessRequest {
			t.Helper()
			return must(t, of(w.app.RequestAccess(w.ctx, agent, w.site.ID, w.pAgent.ID, ""))).Request
		}

		t.Run("Deny", func(t *testing.T) {
			req := request()
			if _, err := w.app.DenyRequest(w.ctx, w.cAdmin, req.ID, ""); err != nil {
				t.Fatal(err)
			}
			if w.allowed(w.pAgent.ID) || len(w.mailed(w.pAgent.Email, domain.NoticeAccessDenied)) != 1 {
				t.Fatal("denied: no access, partner told")
			}
			_, err := w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 0)
			wantCode(t, err, domain.ERule, "R-PARTNER-4")
		})
		t.Run("Revoke", func(t *testing.T) {
			req := request()
			must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 0)))
			if err := w.app.RevokeAccess(w.ctx, w.cAdmin, w.site.ID, w.pAgent.ID, ""); err != nil {
				t.Fatal(err)
			}
			if w.allowed(w.pAgent.ID) || len(w.mailed(w.pAgent.Email, domain.NoticeAccessRevoked)) != 1 {
				t.Fatal("revoked: at once, partner told")
			}
		})
		t.Run("Unassign", func(t *testing.T) {
			req := request()
			must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 0)))
			if err := w.app.UnassignPartner(w.ctx, w.pAdmin, w.site.ID, w.pAgent.ID, ""); err != nil {
				t.Fatal(err)
			}
			if w.allowed(w.pAgent.ID) || len(w.mailed(w.cAdmin.User.Email, domain.NoticeAccessRemoved)) != 1 {
				t.Fatal("unassigned: at once, customer told")
			}
		})
		t.Run("UnansweredExpires", func(t *testing.T) {
			req := request()
			w.clock.Add(7*24*time.Hour + time.Second)
			_, err := w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 0)
			wantCode(t, err, domain.ERule, "R-PARTNER-4")
			// Lists honour the expiry before any sweep runs.
			pending := domain.RequestPending
			if l := must(t, of(w.app.AccessRequests(w.ctx, w.cAdmin, domain.AccessRequestFilter{State: &pending}))); len(l.Items) != 0 {
				t.Fatalf("a lapsed request is listed as pending: %+v", l.Items)
			}
			if r := must(t, of(w.app.Sweep(w.ctx))); r.Lapsed != 1 {
				t.Fatalf("sweep: %+v", r)
			}
			if len(w.mailed(w.pAgent.Email, domain.NoticeRequestExpired)) != 1 {
				t.Fatal("the partner is told nobody answered")
			}
			expired := domain.RequestExpired
			l := must(t, of(w.app.AccessRequests(w.ctx, w.cAdmin, domain.AccessRequestFilter{State: &expired})))
			if len(l.Items) != 1 || l.Items[0].ID != req.ID {
				t.Fatalf("expired requests: %+v", l.Items)
			}
		})
	})
}

// TestPartnerAccess_ShorterAndExtend: a shorter grant, a reminder link
// asking to extend, and the extension approved again. R-PLUS-1
func TestPartnerAccess_ShorterAndExtend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		req := must(t, of(w.app.RequestAccess(w.ctx, w.pAdmin, w.site.ID, w.pAgent.ID, ""))).Request
		_, err := w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 8*24*time.Hour)
		wantCode(t, err, domain.EInvalid, "R-PLUS-1")
		must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 2*24*time.Hour)))
		end := w.clock.Now().Add(48 * time.Hour)
		w.clock.Add(36 * time.Hour)
		must(t, of(w.app.Sweep(w.ctx)))
		rem := w.mailed(w.pAgent.Email, domain.NoticeAccessReminder)
		if len(rem) != 1 {
			t.Fatalf("reminders: %d", len(rem))
		}
		if _, err := w.app.UseLink(w.ctx, "", accessLinkIn(t, rem[0], "extend")); err != nil {
			t.Fatal(err)
		}
		ext := w.mailed(w.cAdmin.User.Email, domain.NoticeAccessRequested)
		if len(ext) != 2 || !strings.Contains(strings.ToLower(ext[1].Body), "extend") {
			t.Fatalf("extension request mail: %v", ext)
		}
		w.clock.Add(time.Hour)
		if _, err := w.app.UseLink(w.ctx, "", accessLinkIn(t, ext[1], "approve")); err != nil {
			t.Fatal(err)
		}
		d := must(t, of(w.app.Access(w.ctx, app.System, w.site.ID, w.pAgent.ID, "")))
		if want := w.clock.Now().Add(7 * 24 * time.Hour); !d.ExpiresAt.Equal(want) || d.ExpiresAt.Equal(end) {
			t.Fatalf("extended to %v, want %v", d.ExpiresAt, want)
		}
	})
}

// TestPartnerAccess_OnlyLinkedPartner: a partner not linked to the
// customer cannot request access, and partner users cannot be assigned as
// members. R-PARTNER-6 R-PARTNER-5
func TestPartnerAccess_OnlyLinkedPartner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		other := must(t, of(w.app.CreateOrg(w.ctx, w.op, app.NewOrg{Kind: domain.OrgPartner, Name: "Elsewhere"})))
		oAdmin := w.actor(w.activeUser(w.op, other.ID, "ola@elsewhere.example", domain.RolePartnerAdmin).ID)
		_, err := w.app.RequestAccess(w.ctx, oAdmin, w.site.ID, oAdmin.User.ID, "")
		wantCode(t, err, domain.ENotFound, "R-PARTNER-6")
		// Unlinking the customer takes the partner's view away too.
		must(t, of(w.app.SetPartner(w.ctx, w.cAdmin, w.customer.ID, "")))
		_, err = w.app.RequestAccess(w.ctx, w.pAdmin, w.site.ID, w.pAgent.ID, "")
		wantCode(t, err, domain.ENotFound, "R-PARTNER-6")
		_, err = w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.pAgent.ID, "")
		wantCode(t, err, domain.ENotFound, "R-ORG-1")
	})
}

// TestPartnerAccess_EndsWhenUnlinked: when the customer drops its partner,
// the partner's current access and waiting requests end at once, and the
// partner users are told. R-PARTNER-6 R-PARTNER-4
func TestPartnerAccess_EndsWhenUnlinked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		req := must(t, of(w.app.RequestAccess(w.ctx, w.pAdmin, w.site.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 0)))
		second := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-test", Edition: domain.EditionStandard})))
		waiting := must(t, of(w.app.RequestAccess(w.ctx, w.pAdmin, second.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.SetPartner(w.ctx, w.cAdmin, w.customer.ID, "")))
		if w.allowed(w.pAgent.ID) {
			t.Fatal("an unlinked partner keeps no access")
		}
		if len(w.mailed(w.pAgent.Email, domain.NoticeAccessRevoked)) != 1 {
			t.Fatal("the partner user is told")
		}
		withdrawn := domain.RequestWithdrawn
		l := must(t, of(w.app.AccessRequests(w.ctx, w.cAdmin, domain.AccessRequestFilter{State: &withdrawn})))
		if len(l.Items) != 1 || l.Items[0].ID != waiting.ID {
			t.Fatalf("waiting requests are withdrawn: %+v", l.Items)
		}
	})
}
