package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
)

// User reviews (R-AUDIT-3, R-PLUS-5). A campaign opens on the schedule
// (or by an operator's hand) with one review per partner and customer;
// each organisation's administrators are emailed a link to theirs. They
// confirm or remove each of their users; every decision is kept with the
// user as they were. Reminders go out before the due date; at the due
// date a review not done is escalated to the operators, or, where the
// organisation turned it on, the access nobody confirmed is removed.

// ReviewConfig is the schedule of user reviews.
type ReviewConfig struct {
	// Schedule is the days of the year ("01-02" for 2 January, UTC) on
	// which a campaign opens; empty: only by hand.
	Schedule []string
	Period   time.Duration   // from opening to the due date
	Reminds  []time.Duration // reminders this long before the due date
}

// DefaultReviews is quarterly, due in 30 days, with reminders 14, 7 and 1
// days before.
var DefaultReviews = ReviewConfig{Schedule: []string{"01-01", "04-01", "07-01", "10-01"}, Period: 30 * 24 * time.Hour,
	Reminds: []time.Duration{14 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour}}

// Validate reports a schedule that cannot work.
func (c ReviewConfig) Validate() error {
	for _, d := range c.Schedule {
		if _, err := time.Parse("2006-01-02", "2024-"+d); err != nil {
			return fmt.Errorf("review schedule: %q is not a day of the year as MM-DD", d)
		}
	}
	if c.Period < 24*time.Hour {
		return fmt.Errorf("the review period must be at least a day")
	}
	for _, r := range c.Reminds {
		if r <= 0 || r >= c.Period {
			return fmt.Errorf("a review reminder must come after the opening and before the due date, not %s before it", r)
		}
	}
	return nil
}

// lastScheduled is the latest scheduled opening at or before now, or zero.
func (c ReviewConfig) lastScheduled(now time.Time) time.Time {
	var last time.Time
	for _, y := range []int{now.Year() - 1, now.Year()} {
		for _, d := range c.Schedule {
			t, err := time.Parse("2006-01-02", fmt.Sprintf("%04d-%s", y, d))
			if err == nil && !t.After(now) && t.After(last) {
				last = t
			}
		}
	}
	return last
}

// OpenCampaign opens a campaign by hand (operators): for the given
// organisations, or every partner and customer when none is given.
// Codes: forbidden, not_found, invalid.
func (a *App) OpenCampaign(ctx context.Context, act Actor, name string, orgIDs []string) (*domain.Campaign, error) {
	if !act.Can().OpenCampaigns {
		return nil, forbidden("R-AUDIT-3", "only the vendor's operators open a review campaign")
	}
	var c *domain.Campaign
	err := a.write(ctx, act, func(u *unit) error {
		var orgs []*domain.Org
		for _, id := range orgIDs {
			o, err := u.loadOrg(ctx, id)
			if err != nil {
				return err
			}
			if o.Kind == domain.OrgVendor {
				return &domain.Error{Code: domain.EInvalid, Rule: "R-AUDIT-3", Field: "org_ids", Message: "partners and customers are reviewed, not the vendor"}
			}
			orgs = append(orgs, o)
		}
		if strings.TrimSpace(name) == "" {
			name = "User review, " + u.now.Format("2 January 2006")
		}
		c = &domain.Campaign{ID: domain.NewID("cmp", u.now), Name: strings.TrimSpace(name), OpenedBy: act.userID(),
			OpenedAt: u.now, DueAt: u.now.Add(a.cfg.Reviews.Period)}
		return u.openCampaign(ctx, c, orgs)
	})
	return c, err
}

// openCampaign writes the campaign and a review for each organisation
// (all partners and customers when orgs is empty), and emails each one's
// administrators the link to theirs.
func (u *unit) openCampaign(ctx context.Context, c *domain.Campaign, orgs []*domain.Org) error {
	if err := u.tx.CreateCampaign(ctx, c); err != nil {
		return err
	}
	if len(orgs) == 0 {
		for _, k := range []domain.OrgKind{domain.OrgPartner, domain.OrgCustomer} {
			for p := (domain.Page{Limit: domain.MaxPageSize}); ; {
				l, err := u.tx.Orgs(ctx, domain.OrgFilter{Kind: &k, Page: p})
				if err != nil {
					return err
				}
				orgs = append(orgs, l.Items...)
				if l.NextCursor == "" {
					break
				}
				p.Cursor = l.NextCursor
			}
		}
	}
	for _, o := range orgs {
		r := &domain.Review{ID: domain.NewID("rev", u.now), CampaignID: c.ID, OrgID: o.ID, State: domain.ReviewOpen,
			DueAt: c.DueAt, CreatedAt: u.now}
		if err := u.tx.CreateReview(ctx, r); err != nil {
			return err
		}
		if err := u.tellAdmins(ctx, o, r, domain.NoticeReviewRequested); err != nil {
			return err
		}
	}
	return u.record(ctx, "review.campaign_open", "campaign", c.ID, "", nil, map[string]any{"name": c.Name,
		"due_at": c.DueAt, "organisations": len(orgs), "scheduled": c.ScheduleKey})
}

// tellAdmins emails an organisation's administrators about their review.
func (u *unit) tellAdmins(ctx context.Context, o *domain.Org, r *domain.Review, kind string) error {
	admins, err := u.tx.OrgAdmins(ctx, o.ID, adminRole(o.Kind))
	if err != nil {
		return fmt.Errorf("administrators of %s: %w", o.ID, err)
	}
	d := mail.Data{OrgName: o.Name, Link: u.app.cfg.BaseURL + "/reviews/" + r.ID, ExpiresAt: r.DueAt}
	for _, to := range admins {
		if err := u.notify(ctx, kind, o.ID, to, d); err != nil {
			return err
		}
	}
	return nil
}

func adminRole(k domain.OrgKind) domain.Role {
	switch k {
	case domain.OrgPartner:
		return domain.RolePartnerAdmin
	case domain.OrgCustomer:
		return domain.RoleCustomerAdmin
	}
	return domain.RoleOperator
}

// ReviewSweep counts what the sweep did to reviews.
type ReviewSweep struct {
	Opened, Reminded, Escalated, AutoClosed, Removed int
}

// sweepReviews opens the scheduled campaign when its day has come, sends
// reminders, and handles reviews past their due date.
func (a *App) sweepReviews(ctx context.Context) (res ReviewSweep, err error) {
	if err := a.openScheduled(ctx, &res); err != nil {
		return res, err
	}
	var open []*domain.Review
	if err := a.read(ctx, System, func(u *unit) (err error) {
		open, err = u.tx.ReviewsOpen(ctx, 5000)
		return err
	}); err != nil {
		return res, err
	}
	now := a.now()
	for _, r := range open {
		if !now.Before(r.DueAt) {
			if err := a.reviewDue(ctx, r.ID, &res); err != nil {
				return res, fmt.Errorf("review %s due: %w", r.ID, err)
			}
			continue
		}
		passed := 0
		for _, lead := range a.cfg.Reviews.Reminds {
			if !now.Before(r.DueAt.Add(-lead)) {
				passed++
			}
		}
		if passed <= r.Reminders {
			continue
		}
		err := a.write(ctx, System, func(u *unit) error {
			fresh, err := u.tx.Review(ctx, r.ID)
			if err != nil || fresh.State != domain.ReviewOpen || fresh.Reminders >= passed {
				return err
			}
			o, err := u.tx.Org(ctx, domain.Everything, fresh.OrgID)
			if err != nil {
				return err
			}
			fresh.Reminders = passed
			if moved, err := u.tx.MoveReview(ctx, fresh, domain.ReviewOpen); err != nil || !moved {
				return err // or reminded by another run
			}
			res.Reminded++
			return u.tellAdmins(ctx, o, fresh, domain.NoticeReviewRequested)
		})
		if err != nil {
			return res, fmt.Errorf("remind review %s: %w", r.ID, err)
		}
	}
	return res, nil
}

// openScheduled opens the campaign of the latest scheduled day, once, and
// never for a day before Provisio was set up.
func (a *App) openScheduled(ctx context.Context, res *ReviewSweep) error {
	day := a.cfg.Reviews.lastScheduled(a.now())
	if day.IsZero() {
		return nil
	}
	err := a.write(ctx, System, func(u *unit) error {
		vendor, err := u.tx.Vendor(ctx)
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if day.Before(vendor.CreatedAt.Truncate(24 * time.Hour)) {
			return nil
		}
		c := &domain.Campaign{ID: domain.NewID("cmp", u.now), Name: "User review, " + day.Format("January 2006"),
			ScheduleKey: day.Format("2006-01-02"), OpenedAt: u.now, DueAt: day.Add(a.cfg.Reviews.Period)}
		if err := u.openCampaign(ctx, c, nil); err != nil {
			return err
		}
		res.Opened++
		return nil
	})
	if errors.Is(err, domain.ErrUnique) {
		return nil // opened already
	}
	return err
}

// reviewDue handles a review at its due date: with R-PLUS-5 on, the users
// nobody decided on lose their access, one transaction each (so a crash
// halfway loses or doubles nothing), then the review closes and its
// administrators are told; otherwise the operators are told it is
// overdue.
func (a *App) reviewDue(ctx context.Context, id string, res *ReviewSweep) error {
	var r *domain.Review
	var o *domain.Org
	var users []*domain.ComplianceUser
	if err := a.read(ctx, System, func(u *unit) (err error) {
		if r, err = u.tx.Review(ctx, id); err != nil {
			return err
		}
		if o, err = u.tx.Org(ctx, domain.Everything, r.OrgID); err != nil {
			return err
		}
		users, err = u.tx.ComplianceUsers(ctx, []string{o.ID})
		return err
	}); err != nil || r.State != domain.ReviewOpen {
		return err
	}
	if o.ReviewAutoRemove == "" {
		return a.write(ctx, System, func(u *unit) error {
			fresh, err := u.tx.Review(ctx, id)
			if err != nil || fresh.State != domain.ReviewOpen {
				return err
			}
			before := *fresh
			fresh.State, fresh.EscalatedAt = domain.ReviewEscalated, u.now
			if moved, err := u.tx.MoveReview(ctx, fresh, domain.ReviewOpen); err != nil || !moved {
				return err // or escalated by another run
			}
			ops, err := u.operators(ctx)
			if err != nil {
				return err
			}
			res.Escalated++
			if err := u.record(ctx, "review.escalate", "review", fresh.ID, o.ID, before, fresh); err != nil {
				return err
			}
			d := mail.Data{OrgName: o.Name, Link: u.app.cfg.BaseURL + "/reviews/" + fresh.ID, ExpiresAt: fresh.DueAt,
				Reason: fmt.Sprintf("%d of %d users were not reviewed", fresh.Users-fresh.Decided, fresh.Users)}
			return u.announce(ctx, domain.NoticeReviewOverdue, []string{o.ID}, d, ops...)
		})
	}
	decision := domain.DecideAutoLock
	if o.ReviewAutoRemove == domain.DecideUnassign {
		decision = domain.DecideAutoUnassign
	}
	removed := 0
	for _, cu := range users {
		done := false
		err := a.write(ctx, System, func(u *unit) error {
			// Decided already (by the administrators, before a crash, or by
			// another run of the sweep): nothing to do.
			if claimed, err := u.tx.ClaimDecision(ctx, id, cu.ID, u.now); err != nil || !claimed {
				return err
			}
			usr, err := u.tx.User(ctx, domain.Everything, cu.ID)
			if err != nil || usr.State == domain.UserDeleted {
				return err
			}
			why := "not confirmed in the review by its due date (R-PLUS-5)"
			d, err := u.removeAccess(ctx, r, usr, decision, nil, why)
			if err != nil {
				return err
			}
			done = domain.Removes(d.Decision)
			return nil
		})
		if err != nil {
			return fmt.Errorf("remove %s: %w", cu.ID, err)
		}
		if done {
			removed++
		}
	}
	res.Removed += removed
	return a.write(ctx, System, func(u *unit) error {
		fresh, err := u.tx.Review(ctx, id)
		if err != nil || fresh.State != domain.ReviewOpen {
			return err
		}
		before := *fresh
		fresh.State, fresh.CompletedAt = domain.ReviewAutoClosed, u.now
		if moved, err := u.tx.MoveReview(ctx, fresh, domain.ReviewOpen); err != nil || !moved {
			return err // or closed by another run
		}
		res.AutoClosed++
		if err := u.record(ctx, "review.auto_close", "review", fresh.ID, o.ID, before, fresh); err != nil {
			return err
		}
		admins, err := u.tx.OrgAdmins(ctx, o.ID, adminRole(o.Kind))
		if err != nil {
			return err
		}
		ds, err := u.tx.Decisions(ctx, fresh.ID, "")
		if err != nil {
			return err
		}
		lost := 0 // counted from the decisions: a run before a crash, or another run, may have done some
		for _, d := range ds {
			if d.Decision == domain.DecideAutoLock || d.Decision == domain.DecideAutoUnassign {
				lost++
			}
		}
		d := mail.Data{OrgName: o.Name, Link: u.app.cfg.BaseURL + "/reviews/" + fresh.ID, ExpiresAt: fresh.DueAt,
			Reason: fmt.Sprintf("%d users nobody confirmed lost their access", lost)}
		return u.announce(ctx, domain.NoticeReviewAutoRemoved, []string{o.ID}, d, admins...)
	})
}

// removeAccess takes a user's access away for a review and records the
// decision with the user as they were: lock, or take them off sites (the
// given ones, or all). A last administrator is kept and the decision says
// why (R-ROLE-5).
func (u *unit) removeAccess(ctx context.Context, r *domain.Review, usr *domain.User, decision string, siteIDs []string,
	comment string) (*domain.ReviewDecision, error) {
	snap, err := u.snapshot(ctx, usr)
	if err != nil {
		return nil, err
	}
	d := &domain.ReviewDecision{ReviewID: r.ID, UserID: usr.ID, Decision: decision, Comment: comment,
		DecidedBy: u.act.userID(), DecidedAt: u.now, Snapshot: snap}
	switch decision {
	case domain.DecideLock, domain.DecideAutoLock:
		if usr.State == domain.UserInvited { // nobody to lock yet: the invitation is withdrawn
			before := *usr
			if err := u.remove(ctx, usr); err != nil {
				return nil, err
			}
			usr.UpdatedAt = u.now
			if err := u.tx.UpdateUser(ctx, usr); err != nil {
				return nil, err
			}
			d.Comment = strings.TrimSpace(d.Comment + " (the invitation, never accepted, was withdrawn)")
			if err := u.record(ctx, "user.delete", "user", usr.ID, usr.OrgID, before, usr); err != nil {
				return nil, err
			}
		}
		if usr.State == domain.UserActive {
			before := *usr
			if err := u.lock(ctx, usr); domain.ErrorRule(err) == "R-ROLE-5" && decision == domain.DecideAutoLock {
				d.Decision, d.Comment = domain.DecideKept, "the last administrator is kept (R-ROLE-5)"
				break
			} else if err != nil {
				return nil, err
			}
			usr.UpdatedAt = u.now
			if err := u.tx.UpdateUser(ctx, usr); err != nil {
				return nil, err
			}
			if err := u.record(ctx, "user.lock", "user", usr.ID, usr.OrgID, before, usr); err != nil {
				return nil, err
			}
		}
	case domain.DecideUnassign, domain.DecideAutoUnassign:
		as, err := u.tx.UserAssignments(ctx, usr.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range as {
			if siteIDs != nil && !slices.Contains(siteIDs, x.SiteID) {
				continue
			}
			if err := u.tx.DeleteAssignment(ctx, x.SiteID, usr.ID, u.now); err != nil {
				return nil, err
			}
			s, err := u.tx.Site(ctx, domain.Everything, x.SiteID)
			if err != nil {
				return nil, err
			}
			if err := u.record(ctx, "assignment.delete", "assignment", x.ID, s.CustomerID, x, nil); err != nil {
				return nil, err
			}
			d.SiteIDs = append(d.SiteIDs, x.SiteID)
		}
	}
	if err := u.tx.PutDecision(ctx, d); err != nil {
		return nil, err
	}
	if domain.Removes(d.Decision) && usr.State != domain.UserDeleted {
		what := "your account was locked"
		if len(d.SiteIDs) > 0 || decision == domain.DecideUnassign || decision == domain.DecideAutoUnassign {
			what = fmt.Sprintf("you were taken off %d site(s)", len(d.SiteIDs))
		}
		if d.Comment != "" {
			what += ": " + d.Comment
		}
		if err := u.notify(ctx, domain.NoticeReviewRemoved, r.OrgID, usr, mail.Data{UserName: usr.Name, OrgName: r.OrgName,
			Reason: what}); err != nil {
			return nil, err
		}
	}
	// The review's entry is the reason for the lock or removals above it.
	return d, u.record(ctx, "review.decide", "review", r.ID, r.OrgID, nil, map[string]any{"user": usr.Email,
		"decision": d.Decision, "sites": d.SiteIDs, "comment": d.Comment, "campaign": r.CampaignName})
}

// snapshot is the user as a review saw them: roles, state, last sign-in
// and sites.
func (u *unit) snapshot(ctx context.Context, usr *domain.User) (string, error) {
	as, err := u.tx.UserAssignments(ctx, usr.ID)
	if err != nil {
		return "", err
	}
	last, err := u.tx.LastActive(ctx, usr.ID)
	if err != nil {
		return "", err
	}
	type site struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		Role      string    `json:"role"`
		Via       string    `json:"via"`
		ExpiresAt time.Time `json:"expires_at,omitzero"`
	}
	sites := []site{}
	for _, a := range as {
		s, err := u.tx.Site(ctx, domain.Everything, a.SiteID)
		if err != nil {
			return "", err
		}
		sites = append(sites, site{a.SiteID, s.Name, string(a.Role), string(a.Via), a.ExpiresAt})
	}
	var lastActive *time.Time // null: never signed in
	if !last.IsZero() {
		lastActive = &last
	}
	return string(mustJSON(map[string]any{"email": usr.Email, "name": usr.Name, "roles": usr.Roles, "state": usr.State,
		"last_active_at": lastActive, "sites": sites})), nil
}
