package store

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// CreateInvitation stores the hash of an invitation token for userID and
// drops the user's earlier invitations, so only the newest link works.
func (tx *Tx) CreateInvitation(ctx context.Context, tokenHash, userID string, expires, now time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM invitations WHERE user_id = $1 AND used_at IS NULL`, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO invitations (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, userID, ts(expires), ts(now))
	return err
}

// UseInvitation marks the invitation with tokenHash used and returns its
// user. It returns ErrNotFound when the token is unknown, used or expired.
func (tx *Tx) UseInvitation(ctx context.Context, tokenHash string, now time.Time) (userID string, err error) {
	err = tx.q.QueryRowContext(ctx, `UPDATE invitations SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`,
		tokenHash, ts(now)).Scan(&userID)
	return userID, translate(err)
}

// CreateAPIToken stores a token by the hash of its secret.
func (tx *Tx) CreateAPIToken(ctx context.Context, t *domain.APIToken, hash string) error {
	_, err := tx.exec(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.UserID, t.Name, hash, ts(t.CreatedAt))
	return err
}

// UserByTokenHash returns the user owning the unrevoked token with hash,
// UserByTokenHash resolves a live API token to its user and the user's
// organisation (nil for an accountant, who has none), in one query: the
// caller of every API request is found this way.
func (tx *Tx) UserByTokenHash(ctx context.Context, hash string) (*domain.User, *domain.Org, *domain.APIToken, error) {
	var tok domain.APIToken
	row := tx.q.QueryRowContext(ctx, `SELECT t.id, t.last_used_at, u.id, COALESCE(u.org_id, ''), u.type, u.email, u.name, u.roles, u.state,
			u.generic, u.invite_expires_at, u.created_at, u.updated_at, u.time_zone,
			COALESCE(o.id, ''), COALESCE(o.kind, ''), COALESCE(o.name, ''), COALESCE(o.partner_id, ''), COALESCE(o.demo, FALSE),
			COALESCE(o.main_contact_id, ''), COALESCE(o.require_mfa, FALSE), COALESCE(o.lock_dormant, FALSE),
			COALESCE(o.review_auto_remove, ''), o.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN orgs o ON o.id = u.org_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, hash)
	var u domain.User
	var o domain.Org
	var roles string
	err := row.Scan(&tok.ID, nullTime{&tok.LastUsedAt}, &u.ID, &u.OrgID, &u.Type, &u.Email, &u.Name, &roles, &u.State, &u.Generic,
		nullTime{&u.InviteExpiresAt}, nullTime{&u.CreatedAt}, nullTime{&u.UpdatedAt}, &u.TimeZone,
		&o.ID, &o.Kind, &o.Name, &o.PartnerID, &o.Demo, &o.MainContactID, &o.RequireMFA, &o.LockDormant, &o.ReviewAutoRemove,
		nullTime{&o.CreatedAt})
	if err != nil {
		return nil, nil, nil, translate(err)
	}
	u.Roles = splitRoles(roles)
	tok.UserID = u.ID
	if o.ID == "" {
		return &u, nil, &tok, nil
	}
	return &u, &o, &tok, nil
}

// TouchAPIToken records when a token was last used.
func (tx *Tx) TouchAPIToken(ctx context.Context, id string, now time.Time) error {
	if _, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, ts(now)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE users SET last_active_at = $2 WHERE id = (SELECT user_id FROM api_tokens WHERE id = $1)`, id, ts(now))
	return err
}

// APITokens lists the user's tokens, newest last.
func (tx *Tx) APITokens(ctx context.Context, userID string) ([]*domain.APIToken, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*domain.APIToken, error) {
		var t domain.APIToken
		err := s.Scan(&t.ID, &t.UserID, &t.Name, nullTime{&t.CreatedAt}, nullTime{&t.LastUsedAt}, nullTime{&t.RevokedAt})
		return &t, translate(err)
	})
}

// RevokeAPIToken revokes the user's token id; ErrNotFound if there is none.
func (tx *Tx) RevokeAPIToken(ctx context.Context, userID, id string, now time.Time) error {
	n, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
		id, userID, ts(now))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// RevokeUserTokens revokes every live API token of the user (R-USER-5) and
// returns how many there were.
func (tx *Tx) RevokeUserTokens(ctx context.Context, userID string, now time.Time) (int64, error) {
	return tx.exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, ts(now))
}

// CreateEmailChange stores a pending change of the user's email, to apply
// once the new address is verified (R-USER-6). Earlier pending changes of
// the user are dropped.
func (tx *Tx) CreateEmailChange(ctx context.Context, tokenHash, userID, newEmail string, expires, now time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM email_changes WHERE user_id = $1 AND used_at IS NULL`, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO email_changes (token_hash, user_id, new_email, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5)`, tokenHash, userID, newEmail, ts(expires), ts(now))
	return err
}

// UseEmailChange marks the pending change with tokenHash used and returns
// it; ErrNotFound when the token is unknown, used or expired.
func (tx *Tx) UseEmailChange(ctx context.Context, tokenHash string, now time.Time) (userID, newEmail string, err error) {
	err = tx.q.QueryRowContext(ctx, `UPDATE email_changes SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id, new_email`,
		tokenHash, ts(now)).Scan(&userID, &newEmail)
	return userID, newEmail, translate(err)
}
