package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// User reviews (R-AUDIT-3): campaigns, reviews and decisions.

const campaignCols = `id, name, COALESCE(schedule_key, ''), opened_by, opened_at, due_at`

func scanCampaign(s scanner) (*domain.Campaign, error) {
	var c domain.Campaign
	if err := s.Scan(&c.ID, &c.Name, &c.ScheduleKey, &c.OpenedBy, nullTime{&c.OpenedAt}, nullTime{&c.DueAt}); err != nil {
		return nil, translate(err)
	}
	return &c, nil
}

// CreateCampaign inserts c; a second campaign for the same scheduled date
// gives ErrUnique.
func (tx *Tx) CreateCampaign(ctx context.Context, c *domain.Campaign) error {
	_, err := tx.exec(ctx, `INSERT INTO review_campaigns (id, name, schedule_key, opened_by, opened_at, due_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ID, c.Name, nullable(c.ScheduleKey), c.OpenedBy, ts(c.OpenedAt), ts(c.DueAt))
	return err
}

// Campaign returns one campaign, or ErrNotFound.
func (tx *Tx) Campaign(ctx context.Context, id string) (*domain.Campaign, error) {
	return scanCampaign(tx.q.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM review_campaigns WHERE id = $1`, id))
}

// Campaigns lists the latest campaigns that have a review of one of orgIDs
// (nil: every campaign), newest first.
func (tx *Tx) Campaigns(ctx context.Context, orgIDs []string, limit int) ([]*domain.Campaign, error) {
	args := []any{limit}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+campaignCols+` FROM review_campaigns c WHERE EXISTS (SELECT 1 FROM reviews r
		WHERE r.campaign_id = c.id AND `+inScope("r.org_id", orgIDs, &args)+`) ORDER BY opened_at DESC, id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanCampaign)
}

const reviewCols = `r.id, r.campaign_id, r.org_id, r.state, r.due_at, r.reminders, r.completed_at, r.completed_by, r.escalated_at,
	r.created_at, o.name, c.name,
	(SELECT COUNT(*) FROM users u WHERE u.org_id = r.org_id AND u.state <> 'deleted'),
	(SELECT COUNT(*) FROM review_decisions d JOIN users u ON u.id = d.user_id WHERE d.review_id = r.id AND u.state <> 'deleted')`

const reviewFrom = ` FROM reviews r JOIN orgs o ON o.id = r.org_id JOIN review_campaigns c ON c.id = r.campaign_id`

func scanReview(s scanner) (*domain.Review, error) {
	var r domain.Review
	err := s.Scan(&r.ID, &r.CampaignID, &r.OrgID, &r.State, nullTime{&r.DueAt}, &r.Reminders, nullTime{&r.CompletedAt},
		&r.CompletedBy, nullTime{&r.EscalatedAt}, nullTime{&r.CreatedAt}, &r.OrgName, &r.CampaignName, &r.Users, &r.Decided)
	if err != nil {
		return nil, translate(err)
	}
	return &r, nil
}

// CreateReview inserts r.
func (tx *Tx) CreateReview(ctx context.Context, r *domain.Review) error {
	_, err := tx.exec(ctx, `INSERT INTO reviews (id, campaign_id, org_id, state, due_at, reminders, completed_at, completed_by,
			escalated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.CampaignID, r.OrgID, r.State, ts(r.DueAt), r.Reminders, ts(r.CompletedAt), r.CompletedBy, ts(r.EscalatedAt), ts(r.CreatedAt))
	return err
}

// Review returns one review with its names and counts, or ErrNotFound.
func (tx *Tx) Review(ctx context.Context, id string) (*domain.Review, error) {
	return scanReview(tx.q.QueryRowContext(ctx, `SELECT `+reviewCols+reviewFrom+` WHERE r.id = $1`, id))
}

// Reviews lists reviews matching f, newest first, at most limit.
func (tx *Tx) Reviews(ctx context.Context, f domain.ReviewFilter, limit int) ([]*domain.Review, error) {
	args := []any{limit}
	where := []string{inScope("r.org_id", f.OrgIDs, &args)}
	if f.CampaignID != nil {
		args = append(args, *f.CampaignID)
		where = append(where, fmt.Sprintf("r.campaign_id = $%d", len(args)))
	}
	if f.State != nil {
		args = append(args, *f.State)
		where = append(where, fmt.Sprintf("r.state = $%d", len(args)))
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+reviewCols+reviewFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY r.created_at DESC, o.name LIMIT $1`, args...)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanReview)
}

// ReviewsOpen lists the open reviews, for reminders and due dates.
func (tx *Tx) ReviewsOpen(ctx context.Context, limit int) ([]*domain.Review, error) {
	open := domain.ReviewOpen
	return tx.Reviews(ctx, domain.ReviewFilter{State: &open}, limit)
}

const decisionCols = `d.review_id, d.user_id, d.decision, d.site_ids, d.comment, d.decided_by, d.decided_at, d.snapshot`

// PutDecision records (or replaces) the decision on a user in a review.
func (tx *Tx) PutDecision(ctx context.Context, d *domain.ReviewDecision) error {
	_, err := tx.exec(ctx, `INSERT INTO review_decisions (review_id, user_id, decision, site_ids, comment, decided_by, decided_at, snapshot)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (review_id, user_id) DO UPDATE SET decision = $3, site_ids = $4, comment = $5, decided_by = $6, decided_at = $7,
			snapshot = $8`,
		d.ReviewID, d.UserID, d.Decision, strings.Join(d.SiteIDs, ","), d.Comment, d.DecidedBy, ts(d.DecidedAt), d.Snapshot)
	return err
}

// Decision returns the decision on a user in a review, or ErrNotFound.
func (tx *Tx) Decision(ctx context.Context, reviewID, userID string) (*domain.ReviewDecision, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+decisionCols+`, u.name, u.email, COALESCE(b.name, '') FROM review_decisions d
		JOIN users u ON u.id = d.user_id LEFT JOIN users b ON b.id = d.decided_by WHERE d.review_id = $1 AND d.user_id = $2`, reviewID, userID)
	if err != nil {
		return nil, translate(err)
	}
	ds, err := collect(rows, scanDecision)
	if err == nil && len(ds) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// Decisions lists a review's decisions (reviewID set) or a campaign's
// (campaignID set), by organisation and person.
func (tx *Tx) Decisions(ctx context.Context, reviewID, campaignID string) ([]*domain.ReviewDecision, error) {
	where, arg := `d.review_id = $1`, reviewID
	if campaignID != "" {
		where, arg = `d.review_id IN (SELECT id FROM reviews WHERE campaign_id = $1)`, campaignID
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+decisionCols+`, u.name, u.email, COALESCE(b.name, '') FROM review_decisions d
		JOIN users u ON u.id = d.user_id LEFT JOIN users b ON b.id = d.decided_by WHERE `+where+` ORDER BY d.review_id, u.email`, arg)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanDecision)
}

func scanDecision(s scanner) (*domain.ReviewDecision, error) {
	var d domain.ReviewDecision
	var sites string
	if err := s.Scan(&d.ReviewID, &d.UserID, &d.Decision, &sites, &d.Comment, &d.DecidedBy, nullTime{&d.DecidedAt}, &d.Snapshot,
		&d.UserName, &d.UserEmail, &d.DeciderName); err != nil {
		return nil, translate(err)
	}
	if sites != "" {
		d.SiteIDs = strings.Split(sites, ",")
	}
	return &d, nil
}

// OrgAccess is one site assignment of a person of an organisation, for a
// review.
type OrgAccess = domain.OrgAccess

// OrgAccessList lists the site assignments of an organisation's people,
// by person and site name.
func (tx *Tx) OrgAccessList(ctx context.Context, orgID string) ([]*OrgAccess, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT a.user_id, a.site_id, s.name, a.role, a.via, a.expires_at
		FROM site_assignments a JOIN users u ON u.id = a.user_id JOIN sites s ON s.id = a.site_id
		WHERE u.org_id = $1 ORDER BY a.user_id, s.name`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*OrgAccess, error) {
		var a OrgAccess
		return &a, translate(s.Scan(&a.UserID, &a.SiteID, &a.SiteName, &a.Role, &a.Via, nullTime{&a.ExpiresAt}))
	})
}

// LastActive returns when the user last came in, by any way; zero for
// never.
func (tx *Tx) LastActive(ctx context.Context, userID string) (time.Time, error) {
	var t time.Time
	err := tx.q.QueryRowContext(ctx, `SELECT last_active_at FROM users WHERE id = $1`, userID).Scan(nullTime{&t})
	return t, translate(err)
}

// ClaimDecision reserves the decision on a user in a review for the
// caller, who then records it in the same transaction; false when the
// user is decided already (by an administrator, or by another run of
// the sweep that got there first).
func (tx *Tx) ClaimDecision(ctx context.Context, reviewID, userID string, now time.Time) (bool, error) {
	n, err := tx.exec(ctx, `INSERT INTO review_decisions (review_id, user_id, decision, decided_at, snapshot)
		VALUES ($1, $2, 'kept', $3, '{}') ON CONFLICT (review_id, user_id) DO NOTHING`, reviewID, userID, ts(now))
	return n == 1, err
}

// MoveReview writes the review's state, reminders and dates if it is
// still in state from with fewer than r.Reminders reminders sent, or, for
// a change of state, in state from; false when another run changed it
// first.
func (tx *Tx) MoveReview(ctx context.Context, r *domain.Review, from string) (bool, error) {
	n, err := tx.exec(ctx, `UPDATE reviews SET state = $2, reminders = $3, completed_at = $4, completed_by = $5, escalated_at = $6
		WHERE id = $1 AND state = $7 AND (state <> $2 OR reminders < $3)`,
		r.ID, r.State, r.Reminders, ts(r.CompletedAt), r.CompletedBy, ts(r.EscalatedAt), from)
	return n == 1, err
}
