package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// ReviewSite is one site a reviewed person can reach.
type ReviewSite struct {
	SiteID, SiteName string
	Role             domain.Role
	Via              domain.AccessVia
	ExpiresAt        time.Time
}

// ReviewUser is a person in a review: their record, last sign-in, sites,
// what the compliance report says about them, and the decision so far.
type ReviewUser struct {
	domain.User
	LastActiveAt time.Time
	Sites        []ReviewSite
	Findings     []domain.Finding
	Decision     *domain.ReviewDecision // nil: not decided yet
}

// ReviewPermissions is what the actor may do with a review.
type ReviewPermissions struct {
	Decide        bool // confirm or remove users: the organisation's administrators, until it is closed
	RemoveOverdue bool // remove users of an overdue review in bulk: operators
}

// ReviewView is a review as its page shows it.
type ReviewView struct {
	Review   *domain.Review
	Campaign *domain.Campaign
	Users    []ReviewUser
	Can      ReviewPermissions
}

// ReviewChoice is a decision asked for one user.
type ReviewChoice struct {
	UserID   string
	Decision string   // DecideConfirm, DecideLock or DecideUnassign
	SiteIDs  []string // for DecideUnassign: which sites ("": all)
	Comment  string
}

// loadReview reads a review the actor may see: operators see every one,
// administrators their own organisation's; any other is not found.
func (u *unit) loadReview(ctx context.Context, id string) (*domain.Review, ReviewPermissions, error) {
	r, err := u.tx.Review(ctx, id)
	if err != nil {
		return nil, ReviewPermissions{}, storeErr(err, "review", id)
	}
	act := u.act
	own := act.Org != nil && act.Org.ID == r.OrgID && act.Can().SeeReviews
	if !own && !act.IsOperator() && act.User != nil {
		return nil, ReviewPermissions{}, domain.NotFound("review")
	}
	closed := r.Done()
	return r, ReviewPermissions{Decide: own && !closed, RemoveOverdue: act.Can().OpenCampaigns && r.State == domain.ReviewEscalated}, nil
}

// Review returns a review with every user of the organisation, their
// sites, findings and decisions (R-AUDIT-3). Codes: not_found.
func (a *App) Review(ctx context.Context, act Actor, id string) (*ReviewView, error) {
	var v *ReviewView
	err := a.read(ctx, act, func(u *unit) error {
		r, can, err := u.loadReview(ctx, id)
		if err != nil {
			return err
		}
		c, err := u.tx.Campaign(ctx, r.CampaignID)
		if err != nil {
			return err
		}
		v = &ReviewView{Review: r, Campaign: c, Can: can}
		users, err := u.tx.ComplianceUsers(ctx, []string{r.OrgID})
		if err != nil {
			return err
		}
		access, err := u.tx.OrgAccessList(ctx, r.OrgID)
		if err != nil {
			return err
		}
		ds, err := u.tx.Decisions(ctx, r.ID, "")
		if err != nil {
			return err
		}
		report, err := u.compliance(ctx, []string{r.OrgID})
		if err != nil {
			return err
		}
		for _, cu := range users {
			ru := ReviewUser{User: cu.User, LastActiveAt: cu.LastActiveAt}
			for _, x := range access {
				if x.UserID == cu.ID && !domain.GrantExpired(x.ExpiresAt, u.now) {
					ru.Sites = append(ru.Sites, ReviewSite{SiteID: x.SiteID, SiteName: x.SiteName, Role: x.Role, Via: x.Via, ExpiresAt: x.ExpiresAt})
				}
			}
			for _, f := range report.Findings {
				if f.UserID == cu.ID {
					ru.Findings = append(ru.Findings, f)
				}
			}
			if i := slices.IndexFunc(ds, func(d *domain.ReviewDecision) bool { return d.UserID == cu.ID }); i >= 0 {
				ru.Decision = ds[i]
			}
			v.Users = append(v.Users, ru)
		}
		return nil
	})
	return v, err
}

// Reviews lists the reviews the actor may see, newest first: operators
// every one, administrators their own organisation's. state narrows it
// ("" for all). Codes: forbidden.
func (a *App) Reviews(ctx context.Context, act Actor, state string) (out []*domain.Review, err error) {
	if !act.Can().SeeReviews {
		return nil, forbidden("R-AUDIT-3", "only administrators review users")
	}
	f := domain.ReviewFilter{}
	if state != "" {
		f.State = &state
	}
	if !act.IsOperator() && act.User != nil {
		f.OrgIDs = []string{act.orgID()}
	}
	err = a.read(ctx, act, func(u *unit) error {
		out, err = u.tx.Reviews(ctx, f, 500)
		return err
	})
	return out, err
}

// DecideReview records decisions on users of a review: confirm, lock, or
// take off sites, each with an optional comment; with confirmRest every
// user not yet decided is confirmed ("confirm all unchanged"). The
// organisation's administrators decide until the review closes; operators
// may only remove, and only on an overdue review. All the choices apply
// together or not at all. When every user is decided the review is
// complete. Codes: not_found, forbidden, invalid, rule.
func (a *App) DecideReview(ctx context.Context, act Actor, id string, choices []ReviewChoice, confirmRest bool) (*domain.Review, error) {
	var r *domain.Review
	err := a.write(ctx, act, func(u *unit) error {
		var can ReviewPermissions
		var err error
		if r, can, err = u.loadReview(ctx, id); err != nil {
			return err
		}
		if !can.Decide && !can.RemoveOverdue {
			if r.Done() {
				return domain.RuleError(domain.ERule, "R-AUDIT-3", "the review of %s is %s", r.OrgName, strings.ReplaceAll(r.State, "_", " "))
			}
			return forbidden("R-AUDIT-3", "only the organisation's administrators decide, and operators once the review is overdue")
		}
		users, err := u.tx.ComplianceUsers(ctx, []string{r.OrgID})
		if err != nil {
			return err
		}
		byID := map[string]*domain.User{}
		for _, cu := range users {
			byID[cu.ID] = &cu.User
		}
		seen := map[string]bool{}
		for _, c := range choices {
			usr, ok := byID[c.UserID]
			if !ok {
				return domain.NotFound("user")
			}
			if seen[c.UserID] {
				return &domain.Error{Code: domain.EInvalid, Rule: "R-AUDIT-3", Message: usr.Name + " has two decisions; give one"}
			}
			seen[c.UserID] = true
			if err := u.decide(ctx, r, usr, c, can); err != nil {
				return err
			}
		}
		if confirmRest {
			if !can.Decide {
				return forbidden("R-AUDIT-3", "only the organisation's administrators confirm users")
			}
			for _, cu := range users {
				if seen[cu.ID] {
					continue
				}
				if _, err := u.tx.Decision(ctx, r.ID, cu.ID); errors.Is(err, domain.ErrNotFound) {
					if err := u.decide(ctx, r, &cu.User, ReviewChoice{UserID: cu.ID, Decision: domain.DecideConfirm}, can); err != nil {
						return err
					}
				} else if err != nil {
					return err
				}
			}
		}
		fresh, err := u.tx.Review(ctx, r.ID)
		if err != nil {
			return err
		}
		r = fresh
		if r.Decided < r.Users || r.Done() {
			return nil
		}
		before := *r
		r.State, r.CompletedAt, r.CompletedBy = domain.ReviewCompleted, u.now, act.userID()
		if moved, err := u.tx.MoveReview(ctx, r, before.State); err != nil || !moved {
			return err
		}
		return u.record(ctx, "review.complete", "review", r.ID, r.OrgID, before, r)
	})
	return r, err
}

// decide applies one choice.
func (u *unit) decide(ctx context.Context, r *domain.Review, usr *domain.User, c ReviewChoice, can ReviewPermissions) error {
	comment := strings.TrimSpace(c.Comment)
	if len(comment) > 1000 {
		return &domain.Error{Code: domain.EInvalid, Rule: "R-AUDIT-3", Field: "comment", Message: "a comment is at most 1000 characters"}
	}
	switch c.Decision {
	case domain.DecideConfirm:
		if !can.Decide {
			return forbidden("R-AUDIT-3", "operators remove users of an overdue review; its administrators confirm them")
		}
		snap, err := u.snapshot(ctx, usr)
		if err != nil {
			return err
		}
		d := &domain.ReviewDecision{ReviewID: r.ID, UserID: usr.ID, Decision: domain.DecideConfirm, Comment: comment,
			DecidedBy: u.act.userID(), DecidedAt: u.now, Snapshot: snap}
		if err := u.tx.PutDecision(ctx, d); err != nil {
			return err
		}
		return u.record(ctx, "review.decide", "review", r.ID, r.OrgID, nil, map[string]any{"user": usr.Email,
			"decision": d.Decision, "comment": comment})
	case domain.DecideLock:
		if u.act.User != nil && u.act.User.ID == usr.ID {
			return domain.RuleError(domain.ERule, "R-USER-5", "you cannot lock yourself")
		}
	case domain.DecideUnassign:
		as, err := u.tx.UserAssignments(ctx, usr.ID)
		if err != nil {
			return err
		}
		for _, id := range c.SiteIDs {
			if !slices.ContainsFunc(as, func(a *domain.Assignment) bool { return a.SiteID == id }) {
				return &domain.Error{Code: domain.EInvalid, Rule: "R-AUDIT-3", Field: "site_ids",
					Message: usr.Name + " is not assigned to one of the sites chosen"}
			}
		}
	default:
		return &domain.Error{Code: domain.EInvalid, Rule: "R-AUDIT-3", Field: "decision",
			Message: `a decision is "confirm", "lock" or "unassign"`}
	}
	if len(c.SiteIDs) == 0 {
		c.SiteIDs = nil
	}
	_, err := u.removeAccess(ctx, r, usr, c.Decision, c.SiteIDs, comment)
	return err
}

// CampaignReport is a campaign's evidence: its reviews and every decision.
type CampaignReport struct {
	Campaign  *domain.Campaign
	Reviews   []*domain.Review
	Decisions []*domain.ReviewDecision
}

// Campaign returns a campaign's evidence for an auditor: operators see
// every organisation's review, administrators their own. Codes:
// not_found.
func (a *App) Campaign(ctx context.Context, act Actor, id string) (rep CampaignReport, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		c, err := u.tx.Campaign(ctx, id)
		if err != nil {
			return storeErr(err, "campaign", id)
		}
		f := domain.ReviewFilter{CampaignID: &id}
		if !act.IsOperator() && act.User != nil {
			f.OrgIDs = []string{act.orgID()}
		}
		rs, err := u.tx.Reviews(ctx, f, 100000)
		if err != nil {
			return err
		}
		if len(rs) == 0 { // no part in it: another tenant's campaign (R-ORG-1)
			return domain.NotFound("campaign")
		}
		if !act.Can().SeeReviews {
			return forbidden("R-AUDIT-3", "only administrators read review campaigns")
		}
		ds, err := u.tx.Decisions(ctx, "", id)
		if err != nil {
			return err
		}
		rep = CampaignReport{Campaign: c, Reviews: rs}
		names := map[string]string{}
		for _, d := range ds {
			if !slices.ContainsFunc(rs, func(r *domain.Review) bool { return r.ID == d.ReviewID }) {
				continue
			}
			for _, id := range d.SiteIDs {
				if _, ok := names[id]; !ok {
					s, err := u.tx.Site(ctx, domain.Everything, id)
					if err != nil {
						return err
					}
					names[id] = s.Name
				}
				d.SiteNames = append(d.SiteNames, names[id])
			}
			rep.Decisions = append(rep.Decisions, d)
		}
		return nil
	})
	return rep, err
}

// Campaigns lists the latest campaigns the actor has a part in.
func (a *App) Campaigns(ctx context.Context, act Actor) (out []*domain.Campaign, err error) {
	if !act.Can().SeeReviews {
		return nil, forbidden("R-AUDIT-3", "only administrators read review campaigns")
	}
	var scope []string
	if !act.IsOperator() && act.User != nil {
		scope = []string{act.orgID()}
	}
	err = a.read(ctx, act, func(u *unit) error {
		out, err = u.tx.Campaigns(ctx, scope, 100)
		return err
	})
	return out, err
}
