package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// reviewOf returns the org's review in the newest campaign, as op sees it.
func (w *world) reviewOf(orgID string) *domain.Review {
	w.t.Helper()
	for _, r := range must(w.t, of(w.app.Reviews(w.ctx, w.op, ""))) {
		if r.OrgID == orgID {
			return r
		}
	}
	w.t.Fatalf("no review of %s", orgID)
	return nil
}

func (w *world) decision(reviewID, userID string) *domain.ReviewDecision {
	w.t.Helper()
	for _, u := range must(w.t, of(w.app.Review(w.ctx, w.op, reviewID))).Users {
		if u.ID == userID {
			return u.Decision
		}
	}
	w.t.Fatalf("%s is not in review %s", userID, reviewID)
	return nil
}

// R-AUDIT-3: a campaign opens on the schedule (once), each
// organisation's administrators are emailed their review and reminded
// before the due date; decisions are recorded with the user as they were;
// a review with every user decided is complete; one not done by the due
// date is escalated to the operators, who may remove its users but not
// confirm them; each organisation sees only its own review.
func TestReviewCampaign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		carol := w.cAdmin.User.Email
		w.clock.Add(60*24*time.Hour + 2*time.Hour) // 2027-01-01 11:00
		res := must(t, of(w.app.Sweep(w.ctx)))
		if res.Reviews.Opened != 1 {
			t.Fatalf("sweep: %+v", res.Reviews)
		}
		if res := must(t, of(w.app.Sweep(w.ctx))); res.Reviews.Opened != 0 {
			t.Fatalf("opened twice: %+v", res.Reviews)
		}
		acme, north := w.reviewOf(w.customer.ID), w.reviewOf(w.partner.ID)
		if acme.DueAt != time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC) || acme.State != domain.ReviewOpen || acme.Users != 4 {
			t.Fatalf("acme's review: %+v", acme)
		}
		mails := w.mailed(carol, domain.NoticeReviewRequested)
		if len(mails) != 1 || !strings.Contains(mails[0].Body, "/reviews/"+acme.ID) {
			t.Fatalf("carol's emails: %+v", mails)
		}
		if len(w.mailed(w.cAdmin2.Email, domain.NoticeReviewRequested)) != 1 || len(w.mailed(w.pAdmin.User.Email, domain.NoticeReviewRequested)) != 1 {
			t.Fatal("every administrator is emailed")
		}

		// Reminders 14, 7 and 1 days before the due date, once each.
		for i, at := range []time.Time{time.Date(2027, 1, 17, 1, 0, 0, 0, time.UTC), time.Date(2027, 1, 24, 1, 0, 0, 0, time.UTC),
			time.Date(2027, 1, 30, 1, 0, 0, 0, time.UTC)} {
			w.clock.Add(at.Sub(w.clock.Now()))
			must(t, of(w.app.Sweep(w.ctx)))
			must(t, of(w.app.Sweep(w.ctx)))
			if n := len(w.mailed(carol, domain.NoticeReviewRequested)); n != i+2 {
				t.Fatalf("at %s carol has %d emails, want %d", at, n, i+2)
			}
		}

		// Each organisation sees its own review only.
		if _, err := w.app.Review(w.ctx, w.pAdmin, acme.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("the partner reads the customer's review: %v", err)
		}
		if _, err := w.app.Review(w.ctx, w.cOps, acme.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("a non-administrator reads the review: %v", err)
		}
		v := must(t, of(w.app.Review(w.ctx, w.cAdmin, acme.ID)))
		if !v.Can.Decide || v.Can.RemoveOverdue || len(v.Users) != 4 {
			t.Fatalf("carol's view: %+v", v.Can)
		}

		// Carol confirms Oscar, takes Uma off the site, withdraws Ivy's
		// invitation (nobody to lock yet), confirms the rest.
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		ivy := w.invite(w.cAdmin, w.customer.ID, "ivy@acme.example", domain.RoleCustomerUser)
		r := must(t, of(w.app.DecideReview(w.ctx, w.cAdmin, acme.ID, []app.ReviewChoice{
			{UserID: ivy.ID, Decision: domain.DecideLock},
			{UserID: w.cOps.User.ID, Decision: domain.DecideConfirm, Comment: "runs the ERP"},
			{UserID: w.cUser.ID, Decision: domain.DecideUnassign, SiteIDs: []string{w.site.ID}, Comment: "left the team"},
		}, false)))
		if r.State != domain.ReviewOpen || r.Decided != 2 || r.Users != 4 {
			t.Fatalf("after three decisions: %+v", r)
		}
		if u := must(t, of(w.app.User(w.ctx, w.op, ivy.ID))); u.State != domain.UserDeleted {
			t.Fatalf("ivy's invitation: %s", u.State)
		}
		d := w.decision(acme.ID, w.cUser.ID)
		if d.Decision != domain.DecideUnassign || d.Comment != "left the team" || d.DecidedBy != w.cAdmin.User.ID ||
			!strings.Contains(d.Snapshot, w.site.ID) || len(d.SiteIDs) != 1 {
			t.Fatalf("uma's decision: %+v", d)
		}
		if dec := must(t, of(w.app.Access(w.ctx, w.op, w.site.ID, w.cUser.ID, ""))); dec.Allowed {
			t.Fatal("uma kept her access")
		}
		if _, err := w.app.DecideReview(w.ctx, w.cAdmin, acme.ID, []app.ReviewChoice{{UserID: w.pAgent.ID, Decision: domain.DecideConfirm}}, false); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("deciding on another organisation's user: %v", err)
		}
		if _, err := w.app.DecideReview(w.ctx, w.cAdmin, acme.ID, []app.ReviewChoice{{UserID: w.cUser.ID, Decision: "maybe"}}, false); domain.ErrorCode(err) != domain.EInvalid {
			t.Fatalf("an unknown decision: %v", err)
		}
		r = must(t, of(w.app.DecideReview(w.ctx, w.cAdmin, acme.ID, nil, true)))
		if r.State != domain.ReviewCompleted || r.Decided != 4 || r.CompletedBy != w.cAdmin.User.ID {
			t.Fatalf("after confirming the rest: %+v", r)
		}
		if d := w.decision(acme.ID, w.cUser.ID); d.Decision != domain.DecideUnassign {
			t.Fatalf("confirm all unchanged changed uma's decision: %+v", d)
		}
		if _, err := w.app.DecideReview(w.ctx, w.cAdmin, acme.ID, nil, true); domain.ErrorCode(err) != domain.ERule {
			t.Fatalf("deciding on a completed review: %v", err)
		}

		// Northwind did nothing: at the due date its review is escalated and the operators told.
		if _, err := w.app.DecideReview(w.ctx, w.op, north.ID, []app.ReviewChoice{{UserID: w.pAgent.ID, Decision: domain.DecideLock}}, false); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("an operator removes before the due date: %v", err)
		}
		w.clock.Add(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC).Sub(w.clock.Now()))
		res = must(t, of(w.app.Sweep(w.ctx)))
		if res.Reviews.Escalated != 1 {
			t.Fatalf("due: %+v", res.Reviews)
		}
		north = w.reviewOf(w.partner.ID)
		if north.State != domain.ReviewEscalated || north.EscalatedAt.IsZero() {
			t.Fatalf("northwind's review: %+v", north)
		}
		if n := w.mailed("olivia.operator@vendor.example", domain.NoticeReviewOverdue); len(n) != 1 || !strings.Contains(n[0].Body, "Northwind") {
			t.Fatalf("operators told: %+v", n)
		}
		if _, err := w.app.DecideReview(w.ctx, w.op, north.ID, []app.ReviewChoice{{UserID: w.pAgent.ID, Decision: domain.DecideConfirm}}, false); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("an operator confirms: %v", err)
		}
		must(t, of(w.app.DecideReview(w.ctx, w.op, north.ID, []app.ReviewChoice{{UserID: w.pAgent.ID, Decision: domain.DecideLock,
			Comment: "overdue review"}}, false)))
		if u := must(t, of(w.app.User(w.ctx, w.op, w.pAgent.ID))); u.State != domain.UserLocked {
			t.Fatalf("the operator's removal: %s", u.State)
		}

		// The campaign's evidence, for an auditor.
		rep := must(t, of(w.app.Campaign(w.ctx, w.op, acme.CampaignID)))
		if len(rep.Reviews) != 2 || len(rep.Decisions) != 6 {
			t.Fatalf("evidence: %d reviews, %d decisions", len(rep.Reviews), len(rep.Decisions))
		}
		if mine := must(t, of(w.app.Campaign(w.ctx, w.cAdmin, acme.CampaignID))); len(mine.Reviews) != 1 || len(mine.Decisions) != 5 {
			t.Fatalf("carol's evidence: %d reviews, %d decisions", len(mine.Reviews), len(mine.Decisions))
		}
	})
}

// R-PLUS-5: where the organisation turned it on, the access nobody
// confirmed is removed at the due date, not before: locked, or taken off
// the sites; the last administrator is kept; the administrators are told.
func TestReviewAutoRemove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		must(t, of(w.app.AssignUser(w.ctx, w.cAdmin, w.site.ID, w.cUser.ID, domain.RoleCustomerUser)))
		lock := domain.DecideLock
		must(t, of(w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{ReviewAutoRemove: &lock})))
		if _, err := w.app.OpenCampaign(w.ctx, w.cAdmin, "", nil); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("a customer opens a campaign: %v", err)
		}
		c := must(t, of(w.app.OpenCampaign(w.ctx, w.op, "Year-end review", []string{w.customer.ID})))
		r := w.reviewOf(w.customer.ID)
		must(t, of(w.app.DecideReview(w.ctx, w.cAdmin, r.ID, []app.ReviewChoice{
			{UserID: w.cAdmin.User.ID, Decision: domain.DecideConfirm}, {UserID: w.cAdmin2.ID, Decision: domain.DecideConfirm}}, false)))

		w.clock.Add(30*24*time.Hour - time.Minute)
		if res := must(t, of(w.app.Sweep(w.ctx))); res.Reviews.Removed != 0 || res.Reviews.AutoClosed != 0 {
			t.Fatalf("removed before the due date: %+v", res.Reviews)
		}
		w.clock.Add(time.Minute)
		res := must(t, of(w.app.Sweep(w.ctx)))
		if res.Reviews.Removed != 2 || res.Reviews.AutoClosed != 1 {
			t.Fatalf("at the due date: %+v", res.Reviews)
		}
		for _, id := range []string{w.cUser.ID, w.cOps.User.ID} {
			if u := must(t, of(w.app.User(w.ctx, w.op, id))); u.State != domain.UserLocked {
				t.Fatalf("%s is %s", u.Email, u.State)
			}
			if d := w.decision(r.ID, id); d.Decision != domain.DecideAutoLock || d.DecidedBy != "" {
				t.Fatalf("decision: %+v", d)
			}
			if n := w.mailed(must(t, of(w.app.User(w.ctx, w.op, id))).Email, domain.NoticeReviewRemoved); len(n) != 1 {
				t.Fatalf("%s told %d times", id, len(n))
			}
		}
		if u := must(t, of(w.app.User(w.ctx, w.op, w.cAdmin2.ID))); u.State != domain.UserActive {
			t.Fatal("a confirmed administrator was locked")
		}
		// The access history replays the review's lock (R-AUDIT-1).
		for _, x := range must(t, of(w.app.SiteAccessAt(w.ctx, w.op, w.site.ID, w.clock.Now()))) {
			if x.UserID == w.cUser.ID && x.Reachable {
				t.Fatalf("history: uma still reachable after the review's lock: %+v", x)
			}
		}
		if r := w.reviewOf(w.customer.ID); r.State != domain.ReviewAutoClosed {
			t.Fatalf("review: %+v", r)
		}
		n := w.mailed(w.cAdmin.User.Email, domain.NoticeReviewAutoRemoved)
		if len(n) != 1 || !strings.Contains(n[0].Body, "2 users") {
			t.Fatalf("administrators told: %+v", n)
		}
		if res := must(t, of(w.app.Sweep(w.ctx))); res.Reviews.Removed != 0 {
			t.Fatalf("removed twice: %+v", res.Reviews)
		}
		_ = c

		// Taken off the sites instead; with nobody confirmed, one administrator is kept.
		must(t, of(w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		must(t, of(w.app.UnlockUser(w.ctx, w.cAdmin, w.cOps.User.ID)))
		unassign := domain.DecideUnassign
		must(t, of(w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{ReviewAutoRemove: &unassign})))
		must(t, of(w.app.OpenCampaign(w.ctx, w.op, "", []string{w.customer.ID})))
		w.clock.Add(30 * 24 * time.Hour)
		must(t, of(w.app.Sweep(w.ctx)))
		if u := must(t, of(w.app.User(w.ctx, w.op, w.cUser.ID))); u.State != domain.UserActive {
			t.Fatalf("unassign locked %s", u.Email)
		}
		if dec := must(t, of(w.app.Access(w.ctx, w.op, w.site.ID, w.cUser.ID, ""))); dec.Allowed {
			t.Fatal("uma kept her site")
		}

		bad := "delete"
		if _, err := w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{ReviewAutoRemove: &bad}); domain.ErrorCode(err) != domain.EInvalid {
			t.Fatalf("an unknown removal: %v", err)
		}
		must(t, of(w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{ReviewAutoRemove: &lock})))
		must(t, of(w.app.OpenCampaign(w.ctx, w.op, "", []string{w.customer.ID})))
		w.clock.Add(30 * 24 * time.Hour)
		must(t, of(w.app.Sweep(w.ctx)))
		states := map[domain.UserState]int{}
		for _, id := range []string{w.cAdmin.User.ID, w.cAdmin2.ID} {
			states[must(t, of(w.app.User(w.ctx, app.System, id))).State]++
		}
		if states[domain.UserActive] != 1 || states[domain.UserLocked] != 1 {
			t.Fatalf("administrators: %v; the last one is kept (R-ROLE-5)", states)
		}
	})
}

// R-PLUS-5: sweeps running at once (a slow one overlapping the next) take
// each unconfirmed user once: one lock, one notice each, and the
// administrators are told once.
func TestReviewAutoRemove_Concurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		lock := domain.DecideLock
		must(t, of(w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{ReviewAutoRemove: &lock})))
		must(t, of(w.app.OpenCampaign(w.ctx, w.op, "", []string{w.customer.ID})))
		r := w.reviewOf(w.customer.ID)
		must(t, of(w.app.DecideReview(w.ctx, w.cAdmin, r.ID, []app.ReviewChoice{{UserID: w.cAdmin.User.ID, Decision: domain.DecideConfirm},
			{UserID: w.cAdmin2.ID, Decision: domain.DecideConfirm}}, false)))
		for i := range 6 {
			w.activeUser(w.cAdmin, w.customer.ID, fmt.Sprintf("staff%d@acme.example", i), domain.RoleCustomerUser)
		}
		w.clock.Add(31 * 24 * time.Hour)
		errs := make(chan error, 3)
		for range 3 {
			go func() { _, err := w.app.Sweep(w.ctx); errs <- err }()
		}
		for range 3 {
			if err := <-errs; err != nil && !strings.Contains(err.Error(), "database is locked") {
				t.Fatal(err)
			}
		}
		must(t, of(w.app.Sweep(w.ctx))) // finishes what a refused run left
		action := "user.lock"
		locks := map[string]int{}
		for _, e := range must(t, of(w.app.Audit(w.ctx, w.op, domain.AuditFilter{Action: &action, Limit: 100}))) {
			locks[e.ObjectID]++
		}
		if len(locks) != 8 { // oscar, uma and six staff
			t.Fatalf("locked %d users: %v", len(locks), locks)
		}
		for id, n := range locks {
			u := must(t, of(w.app.User(w.ctx, w.op, id)))
			if n != 1 || len(w.mailed(u.Email, domain.NoticeReviewRemoved)) != 1 {
				t.Fatalf("%s: %d locks, %d notices", u.Email, n, len(w.mailed(u.Email, domain.NoticeReviewRemoved)))
			}
		}
		if n := w.mailed(w.cAdmin.User.Email, domain.NoticeReviewAutoRemoved); len(n) != 1 || !strings.Contains(n[0].Body, "8 users") {
			t.Fatalf("administrators told: %+v", n)
		}
	})
}
