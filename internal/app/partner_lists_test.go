package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestRequestViews_ReadsDoNotGrowWithThePage: the requests page names
// each partner user and says what became of each approved request's
// access (running, expired, ended) with the same number of statements for
// 3 requests as for 30: no query per row (issue 15). R-PARTNER-2
func TestRequestViews_ReadsDoNotGrowWithThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		made := 0
		// add makes n more requests by new partner agents and approves
		// all but the last, for an hour.
		add := func(n int) {
			for i := 0; i < n; i++ {
				made++
				agent := w.activeUser(w.op, w.partner.ID, fmt.Sprintf("agent%d@northwind.example", made), domain.RolePartnerAgent)
				req := must(t, of(w.app.RequestAccess(w.ctx, w.actor(agent.ID), w.site.ID, agent.ID, ""))).Request
				if i < n-1 {
					must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, time.Hour)))
				}
			}
		}
		view := func() (domain.List[app.RequestView], uint64) {
			before := db.Statements()
			l := must(t, of(w.app.AccessRequestViews(w.ctx, w.cAdmin, domain.AccessRequestFilter{Page: domain.Page{Limit: 50}})))
			return l, db.Statements() - before
		}
		add(3)
		few, fewStatements := view()
		add(27)
		// One grant ends early.
		if err := w.app.RevokeAccess(w.ctx, w.cAdmin, w.site.ID, few.Items[0].Request.UserID, ""); err != nil {
			t.Fatal(err)
		}
		many, manyStatements := view()
		if len(few.Items) != 3 || len(many.Items) != 30 {
			t.Fatalf("pages of %d and %d requests", len(few.Items), len(many.Items))
		}
		if manyStatements != fewStatements {
			t.Errorf("the page of 30 requests ran %d statements, that of 3 ran %d", manyStatements, fewStatements)
		}
		count := func(l domain.List[app.RequestView]) map[string]int {
			grants := map[string]int{}
			for _, v := range l.Items {
				if v.UserName == "" || v.SiteName != w.site.Name {
					t.Errorf("request %s is shown without names: %+v", v.Request.ID, v)
				}
				grants[v.Grant]++
			}
			return grants
		}
		if g := count(many); g[app.GrantEnded] != 1 || g[app.GrantRunning] != 27 || g[""] != 2 {
			t.Errorf("grants: %v, want 1 ended, 27 running, 2 not approved", g)
		}
		// Past their end, the others have expired; the one revoked still
		// shows that it ended early.
		w.clock.Add(2 * time.Hour)
		if _, err := w.app.Sweep(w.ctx); err != nil {
			t.Fatal(err)
		}
		if l, _ := view(); count(l)[app.GrantExpired] != 27 || count(l)[app.GrantEnded] != 1 {
			t.Errorf("after the end: %v", count(l))
		}
	})
}
