package app_test

import (
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestWorld_Walkthrough runs the foundation's story: site assignment,
// company assignment, the notice, the access decision and an intact log.
func TestWorld_Walkthrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if _, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cOps.User.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := w.app.AssignCompany(w.ctx, w.cOps, w.company.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		d, err := w.app.Access(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, w.company.ID)
		if err != nil || !d.Allowed {
			t.Fatalf("access: %+v %v", d, err)
		}
		v, err := w.app.VerifyAudit(w.ctx, w.op)
		if err != nil || !v.Intact || v.Entries < 20 {
			t.Fatalf("verify: %+v %v", v, err)
		}
		kind := domain.NoticeUserAdded
		ns, _ := w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Kind: &kind})
		if len(ns.Items) != 4 { // two assignments × two administrators
			t.Fatalf("user-added notices: %d", len(ns.Items))
		}
	})
}
