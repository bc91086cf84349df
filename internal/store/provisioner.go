package store

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const callCols = `id, site_id, event, payload, state, attempts, last_status, last_error, created_at, delivered_at`

func scanCall(s scanner) (*domain.ProvisionerCall, error) {
	var c domain.ProvisionerCall
	err := s.Scan(&c.ID, &c.SiteID, &c.Event, &c.Payload, &c.State, &c.Attempts, &c.LastStatus, &c.LastError,
		nullTime{&c.CreatedAt}, nullTime{&c.DeliveredAt})
	if err != nil {
		return nil, translate(err)
	}
	return &c, nil
}

// CreateProvisionerCall records an event for the site provisioner.
func (tx *Tx) CreateProvisionerCall(ctx context.Context, c *domain.ProvisionerCall) error {
	_, err := tx.exec(ctx, `INSERT INTO provisioner_calls (`+callCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.SiteID, c.Event, c.Payload, c.State, c.Attempts, c.LastStatus, c.LastError, ts(c.CreatedAt), ts(c.DeliveredAt))
	return err
}

// ProvisionerCall returns one call, or ErrNotFound.
func (tx *Tx) ProvisionerCall(ctx context.Context, id string) (*domain.ProvisionerCall, error) {
	return scanCall(tx.q.QueryRowContext(ctx, `SELECT `+callCols+` FROM provisioner_calls WHERE id = $1`, id))
}

// ProvisionerCalls lists a site's calls to the provisioner, newest first,
// at most limit.
func (tx *Tx) ProvisionerCalls(ctx context.Context, siteID string, limit int) ([]*domain.ProvisionerCall, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+callCols+` FROM provisioner_calls WHERE site_id = $1 ORDER BY id DESC LIMIT $2`,
		siteID, limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanCall)
}

// PendingProvisionerCalls lists up to limit calls still to make, oldest first.
func (tx *Tx) PendingProvisionerCalls(ctx context.Context, limit int) ([]*domain.ProvisionerCall, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+callCols+` FROM provisioner_calls WHERE state = 'pending' ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanCall)
}

// MarkProvisionerCall records an attempt: its HTTP status and error, and
// the state.
func (tx *Tx) MarkProvisionerCall(ctx context.Context, id, state string, status int, lastError string, now time.Time) error {
	done := time.Time{}
	if state == domain.DeliverySent {
		done = now
	}
	_, err := tx.exec(ctx, `UPDATE provisioner_calls SET state = $2, attempts = attempts + 1, last_status = $3, last_error = $4,
		delivered_at = $5 WHERE id = $1`, id, state, status, lastError, ts(done))
	return err
}

// SitesProvisioningSince lists sites still provisioning whose latest
// request to the provisioner was made at or before cutoff: the provisioner
// has not answered in time.
func (tx *Tx) SitesProvisioningSince(ctx context.Context, cutoff time.Time, limit int) ([]*domain.Site, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+siteCols+` FROM sites WHERE state = 'provisioning'
		AND (SELECT MAX(c.created_at) FROM provisioner_calls c WHERE c.site_id = sites.id AND c.event = 'site.provision') <= $1
		ORDER BY id LIMIT $2`, ts(cutoff), limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanSite)
}

// TakeCallbackSignature records a callback's signature as used; a
// signature already taken gives ErrUnique (a replay).
func (tx *Tx) TakeCallbackSignature(ctx context.Context, sig string, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO provisioner_callbacks (signature, seen_at) VALUES ($1, $2)`, sig, ts(now))
	return err
}

// ForgetCallbackSignaturesBefore drops signatures too old to be accepted
// again anyway.
func (tx *Tx) ForgetCallbackSignaturesBefore(ctx context.Context, t time.Time) error {
	_, err := tx.exec(ctx, `DELETE FROM provisioner_callbacks WHERE seen_at < $1`, ts(t))
	return err
}
