package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestNotices_KeptAsDataRenderedWhenRead checks how the outbox keeps a
// notice (R-NOTE-1): its subject and the data it shows (sealed where a
// key is set: TestDelivery checks that), a few hundred bytes, with no
// rendered body; and that the local mailbox (R-NOTE-2) shows it rendered,
// as it read when it was written, after the recipient has since been
// renamed. A notice stored with its bodies rendered (before this) still
// reads as stored.
func TestNotices_KeptAsDataRenderedWhenRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cUser.ID, "")
		kind := domain.NoticeUserAdded
		added := must(t, of(w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Kind: &kind, ToEmail: &w.cAdmin2.Email}))).Items
		if len(added) != 1 {
			t.Fatalf("%d user-added notices to %s, want 1", len(added), w.cAdmin2.Email)
		}
		id := added[0].ID
		var body, html, data string
		if err := db.SQL().QueryRow(`SELECT body, body_html, template_data FROM notices WHERE id = $1`, id).Scan(&body, &html, &data); err != nil {
			t.Fatal(err)
		}
		if body != "" || html != "" || data == "" || len(data) > 2000 {
			t.Fatalf("stored: body %d bytes, html %d bytes, data %d bytes; want only data, under 2000", len(body), len(html), len(data))
		}

		before := w.cAdmin2.Name
		if _, _, err := w.app.UpdateUser(w.ctx, w.op, w.cAdmin2.ID, domain.UserUpdate{Name: ptr("Daniel Renamed")}); err != nil {
			t.Fatal(err)
		}
		n := must(t, of(w.app.Notice(w.ctx, w.op, id)))
		wantContains(t, "body", n.Body, before, w.site.Name, w.cUser.Email)
		wantContains(t, "html", n.BodyHTML, "<html", w.site.Name, w.cUser.Email)
		if !strings.Contains(n.Subject, w.site.Name) || strings.Contains(n.Body, "Daniel Renamed") {
			t.Fatalf("subject %q, body %q", n.Subject, n.Body)
		}

		old := &domain.Notice{ID: domain.NewID("ntc", w.clock.Now()), Kind: kind, OrgID: w.customer.ID, ToUserID: w.cAdmin2.ID,
			ToEmail: w.cAdmin2.Email, Subject: "Written before", Body: "Stored text", BodyHTML: "<p>Stored html</p>",
			State: domain.NoticeLocal, CreatedAt: w.clock.Now()}
		if err := db.Write(w.ctx, func(tx *store.Tx) error { return tx.CreateNotices(w.ctx, []*domain.Notice{old}) }); err != nil {
			t.Fatal(err)
		}
		got := must(t, of(w.app.Notice(w.ctx, w.op, old.ID)))
		if got.Subject != old.Subject || got.Body != old.Body || got.BodyHTML != old.BodyHTML {
			t.Fatalf("a notice stored rendered reads %q / %q / %q", got.Subject, got.Body, got.BodyHTML)
		}
	})
}

// TestNotices_DatesInTheRecipientsZone checks that a notice kept as data
// shows its dates in the zone its recipient had chosen when it was
// written (R-NOTE-1, R-PARTNER-2: the approval tells the administrators
// when access ends).
func TestNotices_DatesInTheRecipientsZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if err := w.app.SetTimeZone(w.ctx, w.actor(w.cAdmin2.ID), "Asia/Tokyo"); err != nil {
			t.Fatal(err)
		}
		req := must(t, of(w.app.RequestAccess(w.ctx, w.actor(w.pAgent.ID), w.site.ID, w.pAgent.ID, ""))).Request
		approved := must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 0)))
		n := w.mailed(w.cAdmin2.Email, domain.NoticeAccessApproved)
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			t.Skip("no time zone database:", err)
		}
		if len(n) != 1 {
			t.Fatalf("%d approval notices to %s, want 1", len(n), w.cAdmin2.Email)
		}
		wantContains(t, "body", n[0].Body, approved.GrantedUntil.In(tokyo).Format("2 January 2006 15:04 MST"))
	})
}

// TestNotices_OneThatCannotBeRendered checks that a notice whose kept data
// is damaged says so in the mailbox without hiding the others, and that
// its delivery fails it for good at once instead of sending an empty mail
// or retrying (R-NOTE-1).
func TestNotices_OneThatCannotBeRendered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.assign(w.cUser.ID, "")
		kind := domain.NoticeUserAdded
		added := must(t, of(w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Kind: &kind}))).Items
		if len(added) < 2 {
			t.Fatalf("%d user-added notices, want at least 2", len(added))
		}
		broken := added[0].ID
		if _, err := db.SQL().Exec(`UPDATE notices SET template_data = '{"Site', state = 'pending' WHERE id = $1`, broken); err != nil {
			t.Fatal(err)
		}
		all := must(t, of(w.app.Mailbox(w.ctx, w.op, domain.NoticeFilter{Kind: &kind}))).Items
		for _, n := range all {
			if shown := !strings.Contains(n.Body, "cannot be shown"); shown != (n.ID != broken) {
				t.Errorf("notice %s (broken: %v) reads %q", n.ID, n.ID == broken, n.Body)
			}
		}
		sent := 0
		err := w.app.DeliverNotice(w.ctx, broken, false, func(context.Context, *domain.Notice) error { sent++; return nil })
		n := must(t, of(w.app.Notice(w.ctx, w.op, broken)))
		if err != nil || sent != 0 || n.State != domain.NoticeFailed || !strings.Contains(n.LastError, "cannot be rendered") {
			t.Fatalf("delivery of a broken notice: err %v, sent %d, state %s, last error %q", err, sent, n.State, n.LastError)
		}
	})
}
