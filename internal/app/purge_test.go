package app_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSweep_PurgesSiteAfterStasis: a cancelled site is deleted with its
// assignments once its stasis ends, and the operators are told; a site
// restored in time is left alone. R-SITE-2
func TestSweep_PurgesSiteAfterStasis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, "")))
		kept := must(t, of(w.app.CreateSite(w.ctx, w.op, app.NewSite{CustomerID: w.customer.ID, Name: "acme-kept", Edition: domain.EditionStandard})))
		must(t, of(w.app.CancelSite(w.ctx, w.op, w.site.ID, "")))
		must(t, of(w.app.CancelSite(w.ctx, w.op, kept.ID, "")))
		w.clock.Add(6 * 24 * time.Hour)
		must(t, of(w.app.RestoreSite(w.ctx, w.op, kept.ID)))
		if r := must(t, of(w.app.Sweep(w.ctx))); r.Purged != 0 {
			t.Fatalf("purged during stasis: %+v", r)
		}
		w.clock.Add(24 * time.Hour)
		if r := must(t, of(w.app.Sweep(w.ctx))); r.Purged != 1 {
			t.Fatalf("sweep after stasis: %+v", r)
		}
		if s := must(t, of(w.app.Site(w.ctx, w.op, w.site.ID))); s.State != domain.SiteDeleted {
			t.Fatalf("state %s", s.State)
		}
		if s := must(t, of(w.app.Site(w.ctx, w.op, kept.ID))); s.State != domain.SiteReady {
			t.Fatalf("restored site: %s", s.State)
		}
		if d := must(t, of(w.app.Access(w.ctx, app.System, w.site.ID, w.cUser.ID, ""))); d.Allowed || d.Reason != "the user is not assigned to the site" {
			t.Fatalf("assignments must go with the site: %+v", d)
		}
		if _, err := w.app.Site(w.ctx, w.cAdmin, w.site.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("a deleted site is gone for its customer: %v", err)
		}
		_, err := w.app.RestoreSite(w.ctx, w.op, w.site.ID)
		wantCode(t, err, domain.ERule, "R-SITE-2")
		if n := w.mailed(w.op.User.Email, domain.NoticeSiteDeleted); len(n) != 1 {
			t.Fatalf("operators told of the deletion: %d", len(n))
		}
		if r := must(t, of(w.app.Sweep(w.ctx))); r.Purged != 0 {
			t.Fatalf("purged twice: %+v", r)
		}
	})
}
