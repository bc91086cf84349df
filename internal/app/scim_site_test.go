package app_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSiteApplication_ReadsAndLinksItsUsers plays the site's application:
// it reads the list with a site token, links two users; then a user is
// removed and a partner grant expires, and the list shows them inactive
// while the dashboard shows New, Linked and Unlinked. R-APP-1
func TestSiteApplication_ReadsAndLinksItsUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cOps.User.ID, domain.RoleCustomerOps)))
		req := must(t, of(w.app.RequestAccess(w.ctx, w.actor(w.pAgent.ID), w.site.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 24*time.Hour)))

		// Only the customer's administrators and operators make site tokens.
		if _, _, err := w.app.CreateSCIMToken(w.ctx, w.cOps, app.NewSCIMToken{SiteID: w.site.ID, Name: "web portal"}); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("an operations agent made a site token: %v", err)
		}
		secret, _ := must2(t, of2(w.app.CreateSCIMToken(w.ctx, w.cAdmin, app.NewSCIMToken{SiteID: w.site.ID, Name: "acme-prod web portal"})))
		c := must(t, of(w.app.SCIMAuthenticate(w.ctx, secret, "")))
		all := domain.SCIMQuery{StartIndex: 1, Count: 100}
		list := func() map[string]*domain.SiteMember {
			t.Helper()
			ms, total := must2(t, of2(w.app.SCIMSiteMembers(w.ctx, c, all)))
			if total != len(ms) {
				t.Fatalf("total %d for %d rows", total, len(ms))
			}
			out := map[string]*domain.SiteMember{}
			for _, m := range ms {
				out[m.User.ID] = m
			}
			return out
		}
		got := list()
		if len(got) != 3 || !got[w.cUser.ID].Active || !got[w.pAgent.ID].Active || got[w.pAgent.ID].ExpiresAt.IsZero() {
			t.Fatalf("the list: %+v", got)
		}
		if got[w.pAgent.ID].Via != domain.ViaPartner {
			t.Fatalf("the partner's row says via %s", got[w.pAgent.ID].Via)
		}

		// Every SCIM call is on record, with the token as the actor.
		site := w.site.ID
		reads := must(t, of(w.app.Audit(w.ctx, w.cAdmin, domain.AuditFilter{ObjectID: &site})))
		if len(reads) == 0 || reads[len(reads)-1].Action != "scim.read" || reads[len(reads)-1].ActorID != c.Token.ID {
			t.Fatalf("the list read is not in the activity log: %+v", reads)
		}

		// The application links two users to its own accounts.
		must(t, of(w.app.SCIMLinkSiteUser(w.ctx, c, w.cUser.ID, "app-uma", got[w.cUser.ID].ETag())))
		must(t, of(w.app.SCIMLinkSiteUser(w.ctx, c, w.pAgent.ID, "app-sam", "")))
		// A stale ETag is refused.
		if _, err := w.app.SCIMLinkSiteUser(w.ctx, c, w.cUser.ID, "app-other", got[w.cUser.ID].ETag()); domain.ErrorCode(err) != domain.EPrecondition {
			t.Fatalf("linking with a stale ETag: %v", err)
		}
		// Another tenant's user is not found.
		if _, err := w.app.SCIMLinkSiteUser(w.ctx, c, w.cAdmin2.ID, "x", ""); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("linking a user not on the site: %v", err)
		}

		// A user is removed, and the partner grant expires.
		if err := w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""); err != nil {
			t.Fatal(err)
		}
		w.clock.Add(25 * time.Hour)
		got = list()
		if m := got[w.pAgent.ID]; m == nil || m.Active {
			t.Fatalf("the expired grant: %+v", m)
		}
		if m := got[w.cUser.ID]; m == nil || m.Active || m.LeftAt.IsZero() || m.ExternalID != "app-uma" {
			t.Fatalf("the removed user: %+v", m)
		}
		must(t, of(w.app.Sweep(w.ctx))) // the expired grant is removed: still listed, inactive
		if m := list()[w.pAgent.ID]; m == nil || m.Active {
			t.Fatalf("after the sweep: %+v", m)
		}

		// The dashboard: Unlinked for both, New for the operations agent.
		links := must(t, of(w.app.SiteLinks(w.ctx, w.cAdmin, w.site.ID, 1, 100)))
		state := map[string]domain.LinkState{}
		for _, m := range links.Members {
			state[m.User.ID] = m.Link()
		}
		want := map[string]domain.LinkState{w.cUser.ID: domain.LinkUnlinked, w.pAgent.ID: domain.LinkUnlinked, w.cOps.User.ID: domain.LinkNew}
		for id, s := range want {
			if state[id] != s {
				t.Errorf("%s is %q on the dashboard, want %q", id, state[id], s)
			}
		}
		if links.LastRead.IsZero() {
			t.Error("the dashboard does not say when the application last read the list")
		}
		// Relinking the agent's row once it is back makes it Linked.
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		if m := list()[w.cUser.ID]; !m.Active || m.Link() != domain.LinkLinked {
			t.Fatalf("reassigned user: %+v", m)
		}

		// After the retention period the departed are gone from the list.
		w.clock.Add(31 * 24 * time.Hour)
		if m := list()[w.pAgent.ID]; m != nil {
			t.Fatalf("still listed after the retention period: %+v", m)
		}
		// A revoked token stops working at once.
		must(t, of(w.app.RevokeSCIMToken(w.ctx, w.cAdmin, c.Token.ID)))
		if _, err := w.app.SCIMAuthenticate(w.ctx, secret, ""); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("revoked token: %v", err)
		}
	})
}
