package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// Storage of Provisio's own OpenID provider (R-APP-2): the sites'
// applications, sign-ins in progress, tokens and signing keys.

const appClientCols = `id, site_id, name, public, redirect_uris, post_logout_uris, created_by, created_at`

func scanAppClient(s scanner) (*domain.AppClient, error) {
	var c domain.AppClient
	var redirects, logouts string
	if err := s.Scan(&c.ID, &c.SiteID, &c.Name, &c.Public, &redirects, &logouts, &c.CreatedBy, nullTime{&c.CreatedAt}); err != nil {
		return nil, translate(err)
	}
	c.RedirectURIs, c.PostLogoutURIs = lines(redirects), lines(logouts)
	return &c, nil
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// CreateAppClient stores c with the hash of its secret ("" for a public
// client).
func (tx *Tx) CreateAppClient(ctx context.Context, c *domain.AppClient, secretHash string) error {
	_, err := tx.exec(ctx, `INSERT INTO oidc_clients (id, site_id, name, public, secret_hash, redirect_uris, post_logout_uris,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.SiteID, c.Name, c.Public, secretHash, strings.Join(c.RedirectURIs, "\n"), strings.Join(c.PostLogoutURIs, "\n"),
		c.CreatedBy, ts(c.CreatedAt))
	return err
}

// AppClient returns a live client, or ErrNotFound.
func (tx *Tx) AppClient(ctx context.Context, id string) (*domain.AppClient, error) {
	return scanAppClient(tx.q.QueryRowContext(ctx, `SELECT `+appClientCols+` FROM oidc_clients
		WHERE id = $1 AND deleted_at IS NULL`, id))
}

// AppClientSecretHash returns the hash of a live client's secret.
func (tx *Tx) AppClientSecretHash(ctx context.Context, id string) (string, error) {
	var h string
	err := tx.q.QueryRowContext(ctx, `SELECT secret_hash FROM oidc_clients WHERE id = $1 AND deleted_at IS NULL`, id).Scan(&h)
	return h, translate(err)
}

// AppClients lists a site's live clients.
func (tx *Tx) AppClients(ctx context.Context, siteID string) ([]*domain.AppClient, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+appClientCols+` FROM oidc_clients
		WHERE site_id = $1 AND deleted_at IS NULL ORDER BY id`, siteID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanAppClient)
}

// SetAppClientSecret replaces a confidential client's secret hash.
func (tx *Tx) SetAppClientSecret(ctx context.Context, id, secretHash string) error {
	return tx.execOne(ctx, `UPDATE oidc_clients SET secret_hash = $2 WHERE id = $1 AND deleted_at IS NULL`, id, secretHash)
}

// DeleteAppClient retires a client; its tokens stop working.
func (tx *Tx) DeleteAppClient(ctx context.Context, id string, now time.Time) error {
	n, err := tx.exec(ctx, `UPDATE oidc_clients SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL`, id, ts(now))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE oidc_tokens SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL`, id, ts(now))
	return err
}

// --- sign-ins in progress

const authRequestCols = `id, client_id, site_id, redirect_uri, scopes, state, nonce, response_type, response_mode,
	challenge, challenge_algo, company, prompt, max_age, user_id, auth_time, created_at, expires_at`

func scanAuthRequest(s scanner) (*domain.OIDCAuthRequest, error) {
	var a domain.OIDCAuthRequest
	var scopes string
	err := s.Scan(&a.ID, &a.ClientID, &a.SiteID, &a.RedirectURI, &scopes, &a.State, &a.Nonce, &a.ResponseType, &a.ResponseMode,
		&a.Challenge, &a.ChallengeAlgo, &a.Company, &a.Prompt, &a.MaxAge, &a.UserID, nullTime{&a.AuthTime}, nullTime{&a.CreatedAt}, nullTime{&a.ExpiresAt})
	if err != nil {
		return nil, translate(err)
	}
	a.Scopes = strings.Fields(scopes)
	return &a, nil
}

// CreateAuthRequest stores a sign-in an application started.
func (tx *Tx) CreateAuthRequest(ctx context.Context, a *domain.OIDCAuthRequest) error {
	_, err := tx.exec(ctx, `INSERT INTO oidc_auth_requests (id, client_id, site_id, redirect_uri, scopes, state, nonce,
			response_type, response_mode, challenge, challenge_algo, company, prompt, max_age, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		a.ID, a.ClientID, a.SiteID, a.RedirectURI, strings.Join(a.Scopes, " "), a.State, a.Nonce, a.ResponseType,
		a.ResponseMode, a.Challenge, a.ChallengeAlgo, a.Company, a.Prompt, a.MaxAge, ts(a.CreatedAt), ts(a.ExpiresAt))
	return err
}

// AuthRequest returns a sign-in in progress that has not expired by now,
// or ErrNotFound.
func (tx *Tx) AuthRequest(ctx context.Context, id string, now time.Time) (*domain.OIDCAuthRequest, error) {
	return scanAuthRequest(tx.q.QueryRowContext(ctx, `SELECT `+authRequestCols+` FROM oidc_auth_requests
		WHERE id = $1 AND expires_at > $2`, id, ts(now)))
}

// AuthRequestByCode returns the sign-in whose code has the hash, or
// ErrNotFound.
func (tx *Tx) AuthRequestByCode(ctx context.Context, codeHash string, now time.Time) (*domain.OIDCAuthRequest, error) {
	return scanAuthRequest(tx.q.QueryRowContext(ctx, `SELECT `+authRequestCols+` FROM oidc_auth_requests
		WHERE code_hash = $1 AND expires_at > $2`, codeHash, ts(now)))
}

// CompleteAuthRequest records who signed in, when, and in which portal
// session (its hash). Only once: a sign-in already completed, or whose
// code was issued, gives ErrNotFound.
func (tx *Tx) CompleteAuthRequest(ctx context.Context, id, userID, sessionHash string, at time.Time) error {
	return tx.execOne(ctx, `UPDATE oidc_auth_requests SET user_id = $2, session_hash = $3, auth_time = $4
		WHERE id = $1 AND user_id = '' AND code_hash IS NULL`, id, userID, sessionHash, ts(at))
}

// AuthRequestSession returns the hash of the portal session a sign-in
// was completed in.
func (tx *Tx) AuthRequestSession(ctx context.Context, id string) (string, error) {
	var h string
	err := tx.q.QueryRowContext(ctx, `SELECT session_hash FROM oidc_auth_requests WHERE id = $1`, id).Scan(&h)
	return h, translate(err)
}

// UseAuthCode ends a sign-in whose code is being exchanged; of two
// exchanges of one code only one finds it (ErrNotFound for the other).
func (tx *Tx) UseAuthCode(ctx context.Context, id string) error {
	return tx.execOne(ctx, `DELETE FROM oidc_auth_requests WHERE id = $1 AND code_hash IS NOT NULL`, id)
}

// SetAuthCode records the hash of the code issued for a sign-in.
func (tx *Tx) SetAuthCode(ctx context.Context, id, codeHash string) error {
	return tx.execOne(ctx, `UPDATE oidc_auth_requests SET code_hash = $2 WHERE id = $1 AND code_hash IS NULL`, id, codeHash)
}

// DeleteAuthRequest ends a sign-in (its code is used, or it failed), and
// those that expired by now.
func (tx *Tx) DeleteAuthRequest(ctx context.Context, id string, now time.Time) error {
	_, err := tx.exec(ctx, `DELETE FROM oidc_auth_requests WHERE id = $1 OR expires_at <= $2`, id, ts(now))
	return err
}

// --- tokens

const oidcTokenCols = `id, refresh, client_id, user_id, site_id, company, family, scopes, auth_time, created_at, expires_at, revoked_at`

func scanOIDCToken(s scanner) (*domain.OIDCToken, error) {
	var t domain.OIDCToken
	var scopes string
	err := s.Scan(&t.ID, &t.Refresh, &t.ClientID, &t.UserID, &t.SiteID, &t.Company, &t.Family, &scopes, nullTime{&t.AuthTime},
		nullTime{&t.CreatedAt}, nullTime{&t.ExpiresAt}, nullTime{&t.RevokedAt})
	if err != nil {
		return nil, translate(err)
	}
	t.Scopes = strings.Fields(scopes)
	return &t, nil
}

// OIDCToken returns a token by id, or ErrNotFound.
func (tx *Tx) OIDCToken(ctx context.Context, id string) (*domain.OIDCToken, error) {
	return scanOIDCToken(tx.q.QueryRowContext(ctx, `SELECT `+oidcTokenCols+` FROM oidc_tokens WHERE id = $1`, id))
}

// RefreshTokenByHash returns the refresh token with the secret's hash, or
// ErrNotFound.
func (tx *Tx) RefreshTokenByHash(ctx context.Context, secretHash string) (*domain.OIDCToken, error) {
	return scanOIDCToken(tx.q.QueryRowContext(ctx, `SELECT `+oidcTokenCols+` FROM oidc_tokens
		WHERE secret_hash = $1 AND refresh`, secretHash))
}

// UseRefreshToken revokes the live refresh token of the client with the
// secret's hash, in one statement, so that of two concurrent uses only
// one wins, and returns its family. ErrNotFound when there is none.
func (tx *Tx) UseRefreshToken(ctx context.Context, secretHash, clientID string, now time.Time) (string, error) {
	var family string
	err := tx.q.QueryRowContext(ctx, `UPDATE oidc_tokens SET revoked_at = $3
		WHERE secret_hash = $1 AND refresh AND client_id = $2 AND revoked_at IS NULL AND expires_at > $3
		RETURNING family`, secretHash, clientID, ts(now)).Scan(&family)
	return family, translate(err)
}

// RevokeFamily ends every token of a family.
func (tx *Tx) RevokeFamily(ctx context.Context, family string, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE oidc_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL`, family, ts(now))
	return err
}

// PruneOIDC drops what the provider no longer needs by now: sign-ins past
// their time, tokens expired a day ago, and retired signing keys.
func (tx *Tx) PruneOIDC(ctx context.Context, now time.Time) error {
	for q, at := range map[string]time.Time{
		`DELETE FROM oidc_auth_requests WHERE expires_at <= $1`: now,
		`DELETE FROM oidc_tokens WHERE expires_at <= $1`:        now.Add(-24 * time.Hour),
		`DELETE FROM oidc_keys WHERE retire_at <= $1`:           now,
	} {
		if _, err := tx.exec(ctx, q, ts(at)); err != nil {
			return err
		}
	}
	return nil
}

// CreateOIDCTokens stores an access token and, when rt is set, a refresh
// token with the hash of its secret, in one statement.
func (tx *Tx) CreateOIDCTokens(ctx context.Context, at, rt *domain.OIDCToken, secretHash string) error {
	q := `INSERT INTO oidc_tokens (id, refresh, secret_hash, client_id, user_id, site_id, company, family, scopes,
			auth_time, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	args := []any{at.ID, at.Refresh, nil, at.ClientID, at.UserID, at.SiteID, at.Company, at.Family, strings.Join(at.Scopes, " "),
		ts(at.AuthTime), ts(at.CreatedAt), ts(at.ExpiresAt)}
	if rt != nil {
		q += `, ($13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`
		args = append(args, rt.ID, rt.Refresh, secretHash, rt.ClientID, rt.UserID, rt.SiteID, rt.Company, rt.Family,
			strings.Join(rt.Scopes, " "), ts(rt.AuthTime), ts(rt.CreatedAt), ts(rt.ExpiresAt))
	}
	if _, err := tx.exec(ctx, q, args...); err != nil {
		return err
	}
	return tx.active(ctx, at.UserID, at.CreatedAt) // a sign-in to, or use of, a site's application
}

// RevokeOIDCToken ends a token at now; ErrNotFound when it was already
// revoked or never issued.
func (tx *Tx) RevokeOIDCToken(ctx context.Context, id string, now time.Time) error {
	return tx.execOne(ctx, `UPDATE oidc_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, ts(now))
}

// RevokeUserClientTokens ends the user's tokens for a client.
func (tx *Tx) RevokeUserClientTokens(ctx context.Context, userID, clientID string, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE oidc_tokens SET revoked_at = $3 WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL`,
		userID, clientID, ts(now))
	return err
}

// --- keys

// OIDCKey is a signing key as stored: the private key (PEM), sealed at
// rest.
type OIDCKey = domain.OIDCKey

// OIDCKeys lists the keys not retired by now, newest first.
func (tx *Tx) OIDCKeys(ctx context.Context, now time.Time) ([]*OIDCKey, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, private_key, created_at, retire_at FROM oidc_keys
		WHERE retire_at > $1 ORDER BY created_at DESC, id DESC`, ts(now))
	if err != nil {
		return nil, translate(err)
	}
	keys, err := collect(rows, func(s scanner) (*OIDCKey, error) {
		var k OIDCKey
		err := s.Scan(&k.ID, &k.PrivatePEM, nullTime{&k.CreatedAt}, nullTime{&k.RetireAt})
		return &k, translate(err)
	})
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.PrivatePEM, err = tx.open(k.PrivatePEM); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// CreateOIDCKey stores a new signing key, sealed.
func (tx *Tx) CreateOIDCKey(ctx context.Context, k *OIDCKey) error {
	sealed, err := tx.seal(k.PrivatePEM)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO oidc_keys (id, private_key, created_at, retire_at) VALUES ($1, $2, $3, $4)`,
		k.ID, sealed, ts(k.CreatedAt), ts(k.RetireAt))
	return err
}

// OIDCCryptoKey returns the provider's token encryption key, storing
// fresh (base64) the first time; every replica reads the same.
func (tx *Tx) OIDCCryptoKey(ctx context.Context, fresh string) (string, error) {
	var stored string
	err := tx.q.QueryRowContext(ctx, `SELECT crypto_key FROM oidc_state WHERE id = 1`).Scan(&stored)
	if errors.Is(translate(err), ErrNotFound) {
		sealed, err := tx.seal(fresh)
		if err != nil {
			return "", err
		}
		if _, err := tx.exec(ctx, `INSERT INTO oidc_state (id, crypto_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, sealed); err != nil {
			return "", err
		}
		if err := tx.q.QueryRowContext(ctx, `SELECT crypto_key FROM oidc_state WHERE id = 1`).Scan(&stored); err != nil {
			return "", translate(err)
		}
	} else if err != nil {
		return "", translate(err)
	}
	return tx.open(stored)
}

// LastSignIns returns, for each of the users, when they last signed in to
// one of the site's applications.
func (tx *Tx) LastSignIns(ctx context.Context, siteID string, userIDs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := []any{siteID}
	var ph []string
	for _, id := range userIDs {
		args = append(args, id)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT user_id, MAX(auth_time) FROM oidc_tokens
		WHERE site_id = $1 AND user_id IN (`+strings.Join(ph, ", ")+`) GROUP BY user_id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	_, err = collect(rows, func(s scanner) (struct{}, error) {
		var id string
		var at time.Time
		if err := s.Scan(&id, nullTime{&at}); err != nil {
			return struct{}{}, translate(err)
		}
		out[id] = at
		return struct{}{}, nil
	})
	return out, err
}

// AppClaims reads what a token says of a person on a site in one query:
// the user with the site and the assignment, one row per company the
// person reaches (all of them for an operations agent), or one row with
// no company.
func (tx *Tx) AppClaims(ctx context.Context, userID, siteID string) (*domain.User, *domain.Site, *domain.Assignment, []*domain.Company, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+memberUserCols+`, s.id, s.name, a.role, a.via, a.expires_at,
			COALESCE(c.id, ''), COALESCE(c.name, '')
		FROM users u JOIN site_assignments a ON a.user_id = u.id AND a.site_id = $2 JOIN sites s ON s.id = a.site_id
		LEFT JOIN companies c ON c.site_id = s.id AND (a.role = 'customer_ops' OR EXISTS (SELECT 1 FROM company_assignments ca
			WHERE ca.company_id = c.id AND ca.user_id = u.id))
		WHERE u.id = $1 ORDER BY c.id`, userID, siteID)
	if err != nil {
		return nil, nil, nil, nil, translate(err)
	}
	var u *domain.User
	var site domain.Site
	var as domain.Assignment
	var cos []*domain.Company
	_, err = collect(rows, func(s scanner) (struct{}, error) {
		var c domain.Company
		got, err := scanUser(scanWith(s, &site.ID, &site.Name, &as.Role, &as.Via, nullTime{&as.ExpiresAt}, &c.ID, &c.Name))
		if err != nil {
			return struct{}{}, err
		}
		u = got
		if c.ID != "" {
			c.SiteID = site.ID
			cos = append(cos, &c)
		}
		return struct{}{}, nil
	})
	if err == nil && u == nil {
		err = ErrNotFound
	}
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return u, &site, &as, cos, nil
}

// scanWith is a scanner that reads extra columns after those its reader
// asks for.
type extraScanner struct {
	s     scanner
	extra []any
}

func scanWith(s scanner, extra ...any) scanner { return extraScanner{s, extra} }

func (e extraScanner) Scan(dest ...any) error { return e.s.Scan(append(dest, e.extra...)...) }
