package store

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const webhookCols = `id, org_id, url, secret, created_by, created_at`

func (tx *Tx) scanWebhook(s scanner) (*domain.Webhook, error) {
	var h domain.Webhook
	if err := s.Scan(&h.ID, &h.OrgID, &h.URL, &h.Secret, &h.CreatedBy, nullTime{&h.CreatedAt}); err != nil {
		return nil, translate(err)
	}
	var err error
	if h.Secret, err = tx.open(h.Secret); err != nil {
		return nil, fmt.Errorf("secret of webhook %s: %w", h.ID, err)
	}
	return &h, nil
}

// CreateWebhook inserts h.
func (tx *Tx) CreateWebhook(ctx context.Context, h *domain.Webhook) error {
	secret, err := tx.seal(h.Secret)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO webhooks (`+webhookCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		h.ID, h.OrgID, h.URL, secret, h.CreatedBy, ts(h.CreatedAt))
	return err
}

// Webhook returns a live webhook of an organisation in scope, or ErrNotFound.
func (tx *Tx) Webhook(ctx context.Context, sc domain.Scope, id string) (*domain.Webhook, error) {
	a := &scopeArgs{args: []any{id}}
	return tx.scanWebhook(tx.q.QueryRowContext(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = $1 AND deleted_at IS NULL AND `+
		ownOrgInScope("org_id", sc, a), a.args...))
}

// Webhooks lists the organisation's live webhooks.
func (tx *Tx) Webhooks(ctx context.Context, orgID string) ([]*domain.Webhook, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE org_id = $1 AND deleted_at IS NULL ORDER BY id`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, tx.scanWebhook)
}

// DeleteWebhook retires a webhook; its log stays readable to operators.
func (tx *Tx) DeleteWebhook(ctx context.Context, id string, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE webhooks SET deleted_at = $2 WHERE id = $1`, id, ts(now))
	return err
}

const deliveryCols = `id, webhook_id, event, payload, state, attempts, last_status, last_error, created_at, delivered_at`

func scanDelivery(s scanner) (*domain.WebhookDelivery, error) {
	var d domain.WebhookDelivery
	err := s.Scan(&d.ID, &d.WebhookID, &d.Event, &d.Payload, &d.State, &d.Attempts, &d.LastStatus, &d.LastError,
		nullTime{&d.CreatedAt}, nullTime{&d.DeliveredAt})
	if err != nil {
		return nil, translate(err)
	}
	return &d, nil
}

// CreateDelivery records an event to deliver.
func (tx *Tx) CreateDelivery(ctx context.Context, d *domain.WebhookDelivery) error {
	_, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (`+deliveryCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.ID, d.WebhookID, d.Event, d.Payload, d.State, d.Attempts, d.LastStatus, d.LastError, ts(d.CreatedAt), ts(d.DeliveredAt))
	return err
}

// Delivery returns a delivery with its webhook, or ErrNotFound.
func (tx *Tx) Delivery(ctx context.Context, id string) (*domain.WebhookDelivery, error) {
	return scanDelivery(tx.q.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = $1`, id))
}

// Deliveries lists a webhook's deliveries by id.
func (tx *Tx) Deliveries(ctx context.Context, webhookID string, p domain.Page) (domain.List[*domain.WebhookDelivery], error) {
	where, args, tail := pageClause([]string{"webhook_id = $1"}, []any{webhookID}, "id", p)
	rows, err := tx.q.QueryContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries`+whereSQL(where)+tail, args...)
	if err != nil {
		return domain.List[*domain.WebhookDelivery]{}, translate(err)
	}
	items, err := collect(rows, scanDelivery)
	return trimPage(items, p, func(d *domain.WebhookDelivery) string { return d.ID }), err
}

// PendingDeliveries lists up to limit deliveries still to make, oldest first.
func (tx *Tx) PendingDeliveries(ctx context.Context, limit int) ([]*domain.WebhookDelivery, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE state = 'pending' ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanDelivery)
}

// MarkDelivery records an attempt: its HTTP status and error, and the state.
func (tx *Tx) MarkDelivery(ctx context.Context, id, state string, status int, lastError string, now time.Time) error {
	done := time.Time{}
	if state == domain.DeliverySent {
		done = now
	}
	_, err := tx.exec(ctx, `UPDATE webhook_deliveries SET state = $2, attempts = attempts + 1, last_status = $3, last_error = $4,
		delivered_at = $5 WHERE id = $1`, id, state, status, lastError, ts(done))
	return err
}
