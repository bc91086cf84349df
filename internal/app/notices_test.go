package app_test

import (
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestNotices_KeptAsDataRenderedWhenRead checks how the outbox keeps a
// notice (R-NOTE-1): its subject and the data it shows (sealed where a
// key is set: TestDelivery checks that), a few
// hundred bytes, with no rendered body; the mailbox shows it rendered, as
// it read when it was written, after the recipient has since been
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
		if err := db.SQL().QueryRow(`SELECT body, body_html, data FROM notices WHERE id = $1`, id).Scan(&body, &html, &data); err != nil {
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
