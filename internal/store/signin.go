package store

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const sessionCols = `id, user_id, mfa_ok, via, remote_addr, user_agent, created_at, last_seen_at, expires_at`

func scanSession(s scanner) (*domain.Session, error) {
	var x domain.Session
	err := s.Scan(&x.ID, &x.UserID, &x.MFAOK, &x.Via, &x.RemoteAddr, &x.UserAgent, nullTime{&x.CreatedAt},
		nullTime{&x.LastSeenAt}, nullTime{&x.ExpiresAt})
	if err != nil {
		return nil, translate(err)
	}
	return &x, nil
}

// CreateSession stores a session by the hash of its token.
func (tx *Tx) CreateSession(ctx context.Context, s *domain.Session, tokenHash string) error {
	_, err := tx.exec(ctx, `INSERT INTO sessions (id, token_hash, user_id, mfa_ok, via, remote_addr, user_agent, created_at,
			last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, tokenHash, s.UserID, s.MFAOK, s.Via, s.RemoteAddr, s.UserAgent, ts(s.CreatedAt), ts(s.LastSeenAt), ts(s.ExpiresAt))
	if err != nil {
		return err
	}
	return tx.active(ctx, s.UserID, s.CreatedAt)
}

// active records that the user signed in or used the portal at t.
func (tx *Tx) active(ctx context.Context, userID string, t time.Time) error {
	defer tx.writingUnread()() // no cached read reads last_active_at
	_, err := tx.exec(ctx, `UPDATE users SET last_active_at = $2 WHERE id = $1`, userID, ts(t))
	return err
}

// SessionSignedIn returns when the session's person signed in.
func (tx *Tx) SessionSignedIn(ctx context.Context, id string) (time.Time, error) {
	var t time.Time
	err := tx.q.QueryRowContext(ctx, `SELECT created_at FROM sessions WHERE id = $1`, id).Scan(nullTime{&t})
	return t, translate(err)
}

// SessionByHash returns the session with the token hash, or ErrNotFound.
func (tx *Tx) SessionByHash(ctx context.Context, tokenHash string) (*domain.Session, error) {
	return scanSession(tx.q.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE token_hash = $1`, tokenHash))
}

// TouchSession records activity, for the idle timeout.
func (tx *Tx) TouchSession(ctx context.Context, id string, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, id, ts(now))
	return err
}

// SetSessionMFA marks a session's second factor given.
func (tx *Tx) SetSessionMFA(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET mfa_ok = TRUE WHERE id = $1`, id)
	return err
}

// Sessions lists the user's sessions, oldest first.
func (tx *Tx) Sessions(ctx context.Context, userID string) ([]*domain.Session, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanSession)
}

// DeleteSession ends one of the user's sessions; ErrNotFound if none.
func (tx *Tx) DeleteSession(ctx context.Context, userID, id string) error {
	n, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, id, userID)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// Throttle is the failure count of one sign-in key (an account or a
// client address).
type Throttle = domain.Throttle

// Throttle returns the state of key, zero when it has none.
func (tx *Tx) Throttle(ctx context.Context, key string) (Throttle, error) {
	var t Throttle
	err := tx.q.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM signin_throttle WHERE key = $1`, key).
		Scan(&t.Failures, nullTime{&t.WindowStart}, nullTime{&t.LockedUntil})
	if err = translate(err); err == ErrNotFound {
		return Throttle{}, nil
	}
	return t, err
}

// SetThrottle stores the state of key.
func (tx *Tx) SetThrottle(ctx context.Context, key string, t Throttle) error {
	_, err := tx.exec(ctx, `INSERT INTO signin_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
			locked_until = excluded.locked_until`, key, t.Failures, ts(t.WindowStart), ts(t.LockedUntil))
	return err
}

// CountAttempt counts one sign-in attempt against key before it is
// checked, in one statement, so that concurrent attempts are counted one
// by one on both databases (PostgreSQL locks the row for the upsert;
// SQLite writes one transaction at a time). A window older than window
// starts again at one; reaching limit locks the key until now+lockout
// (limit 0: never). It returns the key's state after this attempt.
func (tx *Tx) CountAttempt(ctx context.Context, key string, now time.Time, window time.Duration, limit int,
	lockout time.Duration) (Throttle, error) {
	lock := any(nil)
	if limit > 0 {
		lock = ts(now.Add(lockout))
	}
	var t Throttle
	err := tx.q.QueryRowContext(ctx, `INSERT INTO signin_throttle AS t (key, failures, window_start, locked_until)
		VALUES ($1, 1, CAST($2 AS BIGINT), CASE WHEN CAST($4 AS INTEGER) = 1 THEN CAST($5 AS BIGINT) END)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN t.window_start <= CAST($3 AS BIGINT) THEN 1 ELSE t.failures + 1 END,
			window_start = CASE WHEN t.window_start <= CAST($3 AS BIGINT) THEN CAST($2 AS BIGINT) ELSE t.window_start END,
			locked_until = CASE WHEN CAST($4 AS INTEGER) > 0
				AND (CASE WHEN t.window_start <= CAST($3 AS BIGINT) THEN 1 ELSE t.failures + 1 END) = CAST($4 AS INTEGER)
				THEN CAST($5 AS BIGINT) ELSE t.locked_until END
		RETURNING failures, window_start, locked_until`,
		key, ts(now), ts(now.Add(-window)), limit, lock).Scan(&t.Failures, nullTime{&t.WindowStart}, nullTime{&t.LockedUntil})
	return t, translate(err)
}

// ForgiveAttempt takes back one attempt counted against key: it was a
// success, which counts against nobody.
func (tx *Tx) ForgiveAttempt(ctx context.Context, key string) error {
	_, err := tx.exec(ctx, `UPDATE signin_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0`, key)
	return err
}

// ClearThrottle forgets the failures of key.
func (tx *Tx) ClearThrottle(ctx context.Context, key string) error {
	_, err := tx.exec(ctx, `DELETE FROM signin_throttle WHERE key = $1`, key)
	return err
}

// CreatePasswordReset stores a reset token for the user, dropping older ones.
func (tx *Tx) CreatePasswordReset(ctx context.Context, tokenHash, userID string, expires, now time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL`, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO password_resets (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, userID, ts(expires), ts(now))
	return err
}

// UsePasswordReset marks a reset token used and returns its user;
// ErrNotFound when it is unknown, used or expired.
func (tx *Tx) UsePasswordReset(ctx context.Context, tokenHash string, now time.Time) (userID string, err error) {
	err = tx.q.QueryRowContext(ctx, `UPDATE password_resets SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`, tokenHash, ts(now)).Scan(&userID)
	return userID, translate(err)
}

// TOTP is a user's authenticator enrolment.
type TOTP = domain.TOTP

// TOTP returns the user's enrolment, or ErrNotFound.
func (tx *Tx) TOTP(ctx context.Context, userID string) (*TOTP, error) {
	var t TOTP
	err := tx.q.QueryRowContext(ctx, `SELECT secret, confirmed_at, last_step FROM mfa_totp WHERE user_id = $1`, userID).
		Scan(&t.Secret, nullTime{&t.ConfirmedAt}, &t.LastStep)
	if err != nil {
		return nil, translate(err)
	}
	if t.Secret, err = tx.open(t.Secret); err != nil {
		return nil, fmt.Errorf("authenticator of %s: %w", userID, err)
	}
	return &t, nil
}

// StartTOTP stores an unconfirmed enrolment, replacing an unconfirmed one.
func (tx *Tx) StartTOTP(ctx context.Context, userID, secret string, now time.Time) error {
	secret, err := tx.seal(secret)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO mfa_totp (user_id, secret, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, confirmed_at = NULL, last_step = 0,
			created_at = excluded.created_at`, userID, secret, ts(now))
	return err
}

// UseTOTPStep records a used step and, on the first, confirms the
// enrolment. It returns ErrNotFound when the step was used already, so
// a code cannot be replayed.
func (tx *Tx) UseTOTPStep(ctx context.Context, userID string, step int64, now time.Time) error {
	n, err := tx.exec(ctx, `UPDATE mfa_totp SET last_step = $2, confirmed_at = COALESCE(confirmed_at, $3)
		WHERE user_id = $1 AND last_step < $2`, userID, step, ts(now))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// DeleteTOTP removes the enrolment and the recovery codes.
func (tx *Tx) DeleteTOTP(ctx context.Context, userID string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM mfa_totp WHERE user_id = $1`, userID)
	return err
}

// SetRecoveryCodes replaces the user's recovery codes by their hashes.
func (tx *Tx) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode spends one recovery code; ErrNotFound if it is unknown
// or spent.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error {
	n, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
		userID, hash, ts(now))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}
