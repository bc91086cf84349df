package app_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

var rawID = regexp.MustCompile(`\b(usr|org|site|cmp|rev|asg)_[0-9a-z]{10,}`)

// TestActivity: the log reads newest first, pages to the oldest of 250
// and back, counts what matches, and tells each entry in words with names
// (R-AUDIT-1); filters by kind and site narrow it.
func TestActivity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		for i := 0; ; i++ {
			p := must(t, of(w.app.Activity(w.ctx, w.op, domain.AuditFilter{}, 1)))
			if p.Total >= 250 {
				break
			}
			name := fmt.Sprintf("Acme %d", i)
			must(t, of(w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{Name: &name})))
		}
		last := must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		first := must(t, of(w.app.Activity(w.ctx, w.op, domain.AuditFilter{}, 50)))
		if got := first.Rows[0].Sentence; got != "Person carol.admin locked Person uma.user" {
			t.Fatalf("newest entry: %q (%s)", got, last.Email)
		}
		if first.Newer != 0 || first.Older == 0 || first.Total < 251 {
			t.Fatalf("first page: newer %d older %d total %d", first.Newer, first.Older, first.Total)
		}
		seen, p := 0, first
		var seqs []int64
		for {
			for _, r := range p.Rows {
				seqs = append(seqs, r.Entry.Seq)
				if rawID.MatchString(r.Sentence) {
					t.Fatalf("a sentence shows an id: %q", r.Sentence)
				}
			}
			seen += len(p.Rows)
			if p.Older == 0 {
				break
			}
			p = must(t, of(w.app.Activity(w.ctx, w.op, domain.AuditFilter{BeforeSeq: p.Older}, 50)))
		}
		if seen != first.Total || seqs[len(seqs)-1] != 1 {
			t.Fatalf("paged %d of %d entries, oldest %d", seen, first.Total, seqs[len(seqs)-1])
		}
		for i := 1; i < len(seqs); i++ {
			if seqs[i] >= seqs[i-1] {
				t.Fatalf("not newest first at %d: %d after %d", i, seqs[i], seqs[i-1])
			}
		}
		// Back to newer from the oldest page.
		back := must(t, of(w.app.Activity(w.ctx, w.op, domain.AuditFilter{AfterSeq: p.Rows[0].Entry.Seq}, 50)))
		if len(back.Rows) != 50 || back.Rows[len(back.Rows)-1].Entry.Seq != p.Rows[0].Entry.Seq+1 || back.Older == 0 || back.Newer == 0 {
			t.Fatalf("newer page: %d rows, last %d, older %d, newer %d", len(back.Rows), back.Rows[len(back.Rows)-1].Entry.Seq, back.Older, back.Newer)
		}

		// Filters: a kind, a site; what changed is there on demand.
		kind := "assignment."
		as := must(t, of(w.app.Activity(w.ctx, w.cAdmin, domain.AuditFilter{ActionPrefix: &kind}, 50)))
		if as.Total != 1 || as.Rows[0].Sentence != "Person carol.admin assigned Person uma.user to acme-prod as customer user" {
			t.Fatalf("assignments: %d %+v", as.Total, as.Rows)
		}
		site := must(t, of(w.app.Activity(w.ctx, w.cAdmin, domain.AuditFilter{SiteID: &w.site.ID}, 50)))
		for _, r := range site.Rows {
			if !strings.Contains(r.Sentence, "acme-prod") && !strings.Contains(r.Sentence, "Acme Ltd") {
				t.Fatalf("site filter let in %q", r.Sentence)
			}
		}
		if lock := first.Rows[0]; !containsChange(lock.Changes, "state", "active", "locked") {
			t.Fatalf("the lock's changes: %+v", lock.Changes)
		}
		// Another tenant's entries stay out.
		if p := must(t, of(w.app.Activity(w.ctx, w.pAdmin, domain.AuditFilter{ActionPrefix: &kind}, 50))); p.Total != 0 {
			t.Fatalf("the partner reads the customer's assignments: %d", p.Total)
		}
		_ = app.ActionKinds
	})
}

func containsChange(cs []app.FieldChange, field, before, after string) bool {
	for _, c := range cs {
		if c.Field == field && c.Before == before && c.After == after {
			return true
		}
	}
	return false
}

// TestActivity_EverySentence: the entries a day's work leaves (set-up,
// a partner request approved and one denied, a company staffed, a token
// made, a time zone chosen) each read as a sentence, never as the
// action's code (issue 14). R-AUDIT-1
func TestActivity_EverySentence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		agent := w.actor(w.pAgent.ID)
		req := must(t, of(w.app.RequestAccess(w.ctx, agent, w.site.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.ApproveRequest(w.ctx, w.cAdmin, req.ID, 24*time.Hour)))
		if err := w.app.RevokeAccess(w.ctx, w.cAdmin, w.site.ID, w.pAgent.ID, "done"); err != nil {
			t.Fatal(err)
		}
		req = must(t, of(w.app.RequestAccess(w.ctx, agent, w.site.ID, w.pAgent.ID, ""))).Request
		must(t, of(w.app.DenyRequest(w.ctx, w.cAdmin, req.ID, "not this week")))
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, "")))
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cOps.User.ID, "")))
		co := must(t, of(w.app.CreateCompany(w.ctx, w.cOps, w.site.ID, "Acme Kent")))
		if err := w.app.AssignCompany(w.ctx, w.cOps, co.ID, w.cUser.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.app.SetTimeZone(w.ctx, w.cAdmin, "Europe/Paris"); err != nil {
			t.Fatal(err)
		}
		want := []string{"approved Person sam.agent's request for access to acme-prod", "denied Person sam.agent's request for access to acme-prod",
			"assigned Person uma.user to the company Acme Kent", "chose the time zone Europe/Paris", "created an API token"}
		var all []string
		for p := must(t, of(w.app.Activity(w.ctx, w.op, domain.AuditFilter{}, 200))); ; {
			for _, r := range p.Rows {
				if strings.Contains(r.Sentence, " — ") || strings.Contains(r.Sentence, r.Entry.Action) {
					t.Errorf("%s reads as its code: %q", r.Entry.Action, r.Sentence)
				}
				all = append(all, r.Sentence)
			}
			if p.Older == 0 {
				break
			}
			p = must(t, of(w.app.Activity(w.ctx, w.op, domain.AuditFilter{BeforeSeq: p.Older}, 200)))
		}
		for _, s := range want {
			if !slices.ContainsFunc(all, func(got string) bool { return strings.Contains(got, s) }) {
				t.Errorf("no entry says %q", s)
			}
		}
	})
}
