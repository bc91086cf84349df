package store

import (
	"context"

	"github.com/provisio/provisio/internal/domain"
)

const linkCols = `customer_id, partner_id, requested_by, created_at`

func scanLink(s scanner) (*domain.PartnerLinkRequest, error) {
	var l domain.PartnerLinkRequest
	if err := s.Scan(&l.CustomerID, &l.PartnerID, &l.RequestedBy, nullTime{&l.CreatedAt}); err != nil {
		return nil, translate(err)
	}
	return &l, nil
}

// RequestPartnerLink stores the customer's request, replacing an earlier
// one of the same customer.
func (tx *Tx) RequestPartnerLink(ctx context.Context, l *domain.PartnerLinkRequest) error {
	_, err := tx.exec(ctx, `INSERT INTO partner_link_requests (`+linkCols+`) VALUES ($1, $2, $3, $4)
		ON CONFLICT (customer_id) DO UPDATE SET partner_id = excluded.partner_id, requested_by = excluded.requested_by,
			created_at = excluded.created_at`, l.CustomerID, l.PartnerID, l.RequestedBy, ts(l.CreatedAt))
	return err
}

// PartnerLinkRequest returns the customer's request to partnerID, or
// ErrNotFound.
func (tx *Tx) PartnerLinkRequest(ctx context.Context, customerID, partnerID string) (*domain.PartnerLinkRequest, error) {
	return scanLink(tx.q.QueryRowContext(ctx, `SELECT `+linkCols+` FROM partner_link_requests
		WHERE customer_id = $1 AND partner_id = $2`, customerID, partnerID))
}

// PartnerLinkRequests lists the requests made to partnerID, oldest first.
func (tx *Tx) PartnerLinkRequests(ctx context.Context, partnerID string) ([]*domain.PartnerLinkRequest, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+linkCols+` FROM partner_link_requests WHERE partner_id = $1
		ORDER BY created_at, customer_id`, partnerID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanLink)
}

// DeletePartnerLinkRequest drops the customer's request, if any.
func (tx *Tx) DeletePartnerLinkRequest(ctx context.Context, customerID string) error {
	_, err := tx.exec(ctx, `DELETE FROM partner_link_requests WHERE customer_id = $1`, customerID)
	return err
}
