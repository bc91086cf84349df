package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// OIDCProvider returns the organisation's identity provider, secret
// included, or ErrNotFound.
func (tx *Tx) OIDCProvider(ctx context.Context, orgID string) (*domain.OIDCProvider, error) {
	var p domain.OIDCProvider
	var domains string
	err := tx.q.QueryRowContext(ctx, `SELECT org_id, issuer, client_id, client_secret, allowed_domains, created_at
		FROM oidc_providers WHERE org_id = $1`, orgID).
		Scan(&p.OrgID, &p.Issuer, &p.ClientID, &p.ClientSecret, &domains, nullTime{&p.CreatedAt})
	if err != nil {
		return nil, translate(err)
	}
	if p.ClientSecret, err = tx.open(p.ClientSecret); err != nil {
		return nil, fmt.Errorf("client secret of %s: %w", orgID, err)
	}
	p.SecretSet = p.ClientSecret != ""
	if domains != "" {
		p.AllowedDomains = strings.Split(domains, ",")
	}
	return &p, nil
}

// SetOIDCProvider stores the organisation's identity provider, replacing
// the one it had (its creation time is kept).
func (tx *Tx) SetOIDCProvider(ctx context.Context, p *domain.OIDCProvider) error {
	secret, err := tx.seal(p.ClientSecret)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO oidc_providers (org_id, issuer, client_id, client_secret, allowed_domains, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id,
			client_secret = excluded.client_secret, allowed_domains = excluded.allowed_domains`,
		p.OrgID, p.Issuer, p.ClientID, secret, strings.Join(p.AllowedDomains, ","), ts(p.CreatedAt))
	return err
}

// OIDCState is one sign-in at an identity provider in progress: what the
// callback needs to finish it.
type OIDCState = domain.OIDCState

// CreateOIDCState stores a started sign-in and drops those that expired
// before now, so that abandoned sign-ins do not pile up.
func (tx *Tx) CreateOIDCState(ctx context.Context, s *OIDCState, now time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM oidc_states WHERE expires_at <= $1`, ts(now)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO oidc_states (state, org_id, nonce, verifier, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.State, s.OrgID, s.Nonce, s.Verifier, ts(s.ExpiresAt))
	return err
}

// UseOIDCState marks a started sign-in used and returns it. It returns
// ErrNotFound when the state is unknown, used or expired, so each one
// finishes at most once.
func (tx *Tx) UseOIDCState(ctx context.Context, state string, now time.Time) (*OIDCState, error) {
	s := OIDCState{State: state}
	err := tx.q.QueryRowContext(ctx, `UPDATE oidc_states SET used_at = $2
		WHERE state = $1 AND used_at IS NULL AND expires_at > $2 RETURNING org_id, nonce, verifier, expires_at`,
		state, ts(now)).Scan(&s.OrgID, &s.Nonce, &s.Verifier, nullTime{&s.ExpiresAt})
	if err != nil {
		return nil, translate(err)
	}
	return &s, nil
}

// CloseInvitations marks the user's open invitations used, for a user who
// registered another way (at an identity provider), so no link stays live.
func (tx *Tx) CloseInvitations(ctx context.Context, userID string, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE invitations SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`, userID, ts(now))
	return err
}

// OIDCOrgForDomain returns the organisation whose identity provider takes
// email addresses at domain, by its proven claim on the domain, or
// ErrNotFound.
func (tx *Tx) OIDCOrgForDomain(ctx context.Context, domain string) (string, error) {
	var orgID string
	err := tx.q.QueryRowContext(ctx, `SELECT d.org_id FROM sso_domains d JOIN oidc_providers p ON p.org_id = d.org_id
		WHERE d.domain = $1 AND d.verified_at IS NOT NULL`, domain).Scan(&orgID)
	return orgID, translate(err)
}
