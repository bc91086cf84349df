package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const ssoCols = `domain, org_id, token, verified_at, verified_by, created_at`

func scanSSODomain(s scanner) (*domain.SSODomain, error) {
	var d domain.SSODomain
	if err := s.Scan(&d.Domain, &d.OrgID, &d.Token, nullTime{&d.VerifiedAt}, &d.VerifiedBy, nullTime{&d.CreatedAt}); err != nil {
		return nil, translate(err)
	}
	return &d, nil
}

// ClaimSSODomain claims dom for orgID unless another organisation holds
// it, and returns the organisation that holds it now.
func (tx *Tx) ClaimSSODomain(ctx context.Context, dom, orgID, token string, now time.Time) (owner string, err error) {
	if _, err := tx.exec(ctx, `INSERT INTO sso_domains (domain, org_id, token, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (domain) DO NOTHING`, dom, orgID, token, ts(now)); err != nil {
		return "", err
	}
	err = tx.q.QueryRowContext(ctx, `SELECT org_id FROM sso_domains WHERE domain = $1`, dom).Scan(&owner)
	return owner, translate(err)
}

// ReleaseSSODomains drops orgID's claims on domains other than keep.
func (tx *Tx) ReleaseSSODomains(ctx context.Context, orgID string, keep []string) error {
	args := []any{orgID}
	ph := make([]string, len(keep))
	for i, d := range keep {
		args = append(args, d)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	q := `DELETE FROM sso_domains WHERE org_id = $1`
	if len(keep) > 0 {
		q += ` AND domain NOT IN (` + strings.Join(ph, ", ") + `)`
	}
	_, err := tx.exec(ctx, q, args...)
	return err
}

// SSODomains lists orgID's claims, by domain.
func (tx *Tx) SSODomains(ctx context.Context, orgID string) ([]*domain.SSODomain, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+ssoCols+` FROM sso_domains WHERE org_id = $1 ORDER BY domain`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanSSODomain)
}

// SSODomain returns orgID's claim on dom, or ErrNotFound.
func (tx *Tx) SSODomain(ctx context.Context, orgID, dom string) (*domain.SSODomain, error) {
	return scanSSODomain(tx.q.QueryRowContext(ctx, `SELECT `+ssoCols+` FROM sso_domains WHERE org_id = $1 AND domain = $2`, orgID, dom))
}

// VerifySSODomain marks orgID's claim on dom proven, by "dns" or an
// operator's id.
func (tx *Tx) VerifySSODomain(ctx context.Context, orgID, dom, by string, now time.Time) error {
	n, err := tx.exec(ctx, `UPDATE sso_domains SET verified_at = $3, verified_by = $4 WHERE org_id = $1 AND domain = $2`,
		orgID, dom, ts(now), by)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}
