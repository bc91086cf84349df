package app_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestAccessHistory: who could reach the site at a moment, through what
// and approved by whom, answered from the activity log across an
// assignment, a partner grant and its expiry, a lock and unlock, and a
// suspension. R-AUDIT-1
func TestAccessHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		at := func(moment time.Time) map[string]app.AccessAt {
			t.Helper()
			out := map[string]app.AccessAt{}
			for _, r := range must(t, of(w.app.SiteAccessAt(w.ctx, w.cAdmin, w.site.ID, moment))) {
				out[r.UserEmail] = r
			}
			return out
		}
		step := func() time.Time { w.clock.Add(time.Hour); return w.clock.Now() }

		before := step()
		step()
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		req := must(t, of(w.app.RequestAccess(w.ctx, w.actor(w.pAgent.ID), w.site.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 24*time.Hour)))
		granted := step()

		if got := at(before); len(got) != 0 {
			t.Fatalf("before anyone was assigned: %v", got)
		}
		g := at(granted)
		uma, sam := g[w.cUser.Email], g[w.pAgent.Email]
		if !uma.Reachable || uma.Via != domain.ViaMember || uma.GrantedBy != w.cAdmin.User.Name {
			t.Fatalf("the member: %+v", uma)
		}
		if !sam.Reachable || sam.Via != domain.ViaPartner || sam.ExpiresAt.IsZero() || sam.GrantedBy != w.cAdmin.User.Name {
			t.Fatalf("the partner: %+v", sam)
		}

		w.clock.Add(24 * time.Hour)
		expired := step()
		if sam := at(expired)[w.pAgent.Email]; sam.Reachable || sam.Why != "the access had expired" {
			t.Fatalf("the partner after the grant ended: %+v", sam)
		}
		must(t, of(w.app.Sweep(w.ctx)))
		swept := step()
		if _, ok := at(swept)[w.pAgent.Email]; ok {
			t.Fatal("the partner is still listed after the expired grant was removed")
		}

		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		locked := step()
		step()
		must(t, of(w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		unlocked := step()
		step()
		if uma := at(locked)[w.cUser.Email]; uma.Reachable || uma.Why != "the user was locked" {
			t.Fatalf("while locked: %+v", uma)
		}
		if !at(unlocked)[w.cUser.Email].Reachable {
			t.Fatal("after the unlock the member cannot reach the site")
		}

		must(t, of(w.app.SuspendSite(w.ctx, w.op, w.site.ID, "maintenance", w.clock.Now().Add(48*time.Hour))))
		suspended := step()
		if uma := at(suspended)[w.cUser.Email]; uma.Reachable || uma.Why != "the site was suspended" {
			t.Fatalf("while the site was suspended: %+v", uma)
		}
		// The past stays as it was.
		if !at(granted)[w.pAgent.Email].Reachable || !at(unlocked)[w.cUser.Email].Reachable {
			t.Fatal("later changes rewrote the past")
		}
		// Only the customer's administrators and operators ask.
		if _, err := w.app.SiteAccessAt(w.ctx, w.cOps, w.site.ID, granted); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("an operations agent read the history: %v", err)
		}
	})
}

// TestUserAccessBetween: which sites a user could reach over a range,
// when and through what, replayed from the activity log across an
// assignment, a lock and unlock, a suspension, a removal, and a partner
// grant that expires; the range clips the stretches. R-AUDIT-1
func TestUserAccessBetween(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		step := func() time.Time { w.clock.Add(time.Hour); return w.clock.Now() }
		t0 := step()
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		assigned := w.clock.Now()
		step()
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		locked := w.clock.Now()
		step()
		must(t, of(w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		unlocked := w.clock.Now()
		step()
		must(t, of(w.app.SuspendSite(w.ctx, w.op, w.site.ID, "maintenance", w.clock.Now().Add(48*time.Hour))))
		suspended := w.clock.Now()
		step()
		must(t, of(w.app.ResumeSite(w.ctx, w.op, w.site.ID)))
		resumed := w.clock.Now()
		step()
		must(t, of(struct{}{}, w.app.UnassignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, "")))
		removed := w.clock.Now()
		end := step()

		spans := must(t, of(w.app.UserAccessBetween(w.ctx, w.cAdmin, w.cUser.ID, t0.Add(-time.Hour), end)))
		want := [][2]time.Time{{assigned, locked}, {unlocked, suspended}, {resumed, removed}}
		if len(spans) != len(want) {
			t.Fatalf("spans: %+v", spans)
		}
		for i, s := range spans {
			if !s.From.Equal(want[i][0]) || !s.To.Equal(want[i][1]) || s.SiteName != "acme-prod" || s.GrantedBy != w.cAdmin.User.Name ||
				s.Via != domain.ViaMember {
				t.Fatalf("span %d: %+v, want %v", i, s, want[i])
			}
		}
		// A range inside a stretch clips it, and an open stretch has no end.
		if got := must(t, of(w.app.UserAccessBetween(w.ctx, w.cAdmin, w.cUser.ID, unlocked.Add(30*time.Minute), suspended.Add(-10*time.Minute)))); len(got) != 1 ||
			!got[0].From.Equal(unlocked.Add(30*time.Minute)) || !got[0].To.IsZero() {
			t.Fatalf("clipped: %+v", got)
		}

		// A partner grant ends at its expiry, with or without the sweep.
		req := must(t, of(w.app.RequestAccess(w.ctx, w.actor(w.pAgent.ID), w.site.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 24*time.Hour)))
		approved := w.clock.Now()
		w.clock.Add(30 * time.Hour)
		got := must(t, of(w.app.UserAccessBetween(w.ctx, w.op, w.pAgent.ID, approved.Add(-time.Hour), w.clock.Now())))
		if len(got) != 1 || got[0].Via != domain.ViaPartner || !got[0].To.Equal(approved.Add(24*time.Hour)) || got[0].GrantedBy != w.cAdmin.User.Name {
			t.Fatalf("partner grant: %+v", got)
		}

		if _, err := w.app.UserAccessBetween(w.ctx, w.cAdmin, w.cUser.ID, end, t0); domain.ErrorCode(err) != domain.EInvalid {
			t.Fatalf("a range backwards: %v", err)
		}
		if _, err := w.app.UserAccessBetween(w.ctx, w.pAdmin, w.cUser.ID, t0, end); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("another tenant's user: %v", err)
		}
	})
}
