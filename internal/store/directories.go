package store

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const directoryCols = `site_id, url, start_tls, ca_pem, bind_dn, bind_password, base_dn, flavor, login_attr, updated_by, updated_at`

// SiteDirectory returns a site's directory settings, its bind password
// opened, or ErrNotFound.
func (tx *Tx) SiteDirectory(ctx context.Context, siteID string) (*domain.SiteDirectory, error) {
	var d domain.SiteDirectory
	err := tx.q.QueryRowContext(ctx, `SELECT `+directoryCols+` FROM site_directories WHERE site_id = $1`, siteID).Scan(
		&d.SiteID, &d.URL, &d.StartTLS, &d.CAPEM, &d.BindDN, &d.BindPassword, &d.BaseDN, &d.Flavor, &d.LoginAttr,
		&d.UpdatedBy, nullTime{&d.UpdatedAt})
	if err != nil {
		return nil, translate(err)
	}
	if d.BindPassword, err = tx.open(d.BindPassword); err != nil {
		return nil, fmt.Errorf("open the bind password of %s: %w", siteID, err)
	}
	return &d, nil
}

// PutSiteDirectory creates or replaces a site's directory settings.
func (tx *Tx) PutSiteDirectory(ctx context.Context, d *domain.SiteDirectory) error {
	tx.touch(d.SiteID, "")
	pw, err := tx.seal(d.BindPassword)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO site_directories (`+directoryCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (site_id) DO UPDATE SET url = $2, start_tls = $3, ca_pem = $4, bind_dn = $5, bind_password = $6,
		base_dn = $7, flavor = $8, login_attr = $9, updated_by = $10, updated_at = $11`,
		d.SiteID, d.URL, d.StartTLS, d.CAPEM, d.BindDN, pw, d.BaseDN, d.Flavor, d.LoginAttr, d.UpdatedBy, ts(d.UpdatedAt))
	return err
}

// CountSiteDirectories counts the sites with a directory.
func (tx *Tx) CountSiteDirectories(ctx context.Context) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM site_directories`).Scan(&n)
	return n, translate(err)
}

const accountCols = `x.id, x.site_id, x.user_id, x.dn, x.state, x.password, x.shown_at, x.attempts, x.last_error, x.created_at, x.updated_at`

func scanAccount(s scanner, extra ...any) (*domain.DirectoryAccount, error) {
	var a domain.DirectoryAccount
	dest := append([]any{&a.ID, &a.SiteID, &a.UserID, &a.DN, &a.State, &a.Password, nullTime{&a.ShownAt}, &a.Attempts,
		&a.LastError, nullTime{&a.CreatedAt}, nullTime{&a.UpdatedAt}}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, translate(err)
	}
	return &a, nil
}

// DirectoryAccount returns the user's account in the site's directory,
// its one-time password still sealed, or ErrNotFound.
func (tx *Tx) DirectoryAccount(ctx context.Context, siteID, userID string) (*domain.DirectoryAccount, error) {
	return scanAccount(tx.q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM directory_accounts x
		WHERE x.site_id = $1 AND x.user_id = $2`, siteID, userID))
}

// OpenAccountPassword opens an account's sealed one-time password.
func (tx *Tx) OpenAccountPassword(a *domain.DirectoryAccount) (string, error) {
	if a.Password == "" {
		return "", nil
	}
	return tx.open(a.Password)
}

// PutDirectoryAccount creates or replaces the account of a.UserID in
// a.SiteID's directory; password is the one-time password to seal ("":
// none kept).
func (tx *Tx) PutDirectoryAccount(ctx context.Context, a *domain.DirectoryAccount, password string) error {
	sealed := ""
	if password != "" {
		var err error
		if sealed, err = tx.seal(password); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, `INSERT INTO directory_accounts (id, site_id, user_id, dn, state, password, shown_at, attempts,
			last_error, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (site_id, user_id) DO UPDATE SET dn = $4, state = $5, password = $6, shown_at = $7, attempts = $8,
			last_error = $9, updated_at = $11`,
		a.ID, a.SiteID, a.UserID, a.DN, a.State, sealed, ts(a.ShownAt), a.Attempts, a.LastError, ts(a.CreatedAt), ts(a.UpdatedAt))
	return err
}

// MoveDirectoryAccount changes an account's state from one to another,
// with the error of the last attempt, clearing the one-time password when
// forget is set. It reports false when the account was not in state from
// (another worker moved it first).
func (tx *Tx) MoveDirectoryAccount(ctx context.Context, id, from, to, lastError string, forget bool, now time.Time) (bool, error) {
	attempts := "attempts + 1"
	if lastError == "" {
		attempts = "0"
	}
	q := `UPDATE directory_accounts SET state = $3, last_error = $4, updated_at = $5, attempts = ` + attempts
	if forget {
		q += `, password = ''`
	}
	n, err := tx.exec(ctx, q+` WHERE id = $1 AND state = $2`, id, from, to, lastError, ts(now))
	return n == 1, err
}

// ShowAccountPassword marks the one-time password seen and forgets it.
func (tx *Tx) ShowAccountPassword(ctx context.Context, id string, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE directory_accounts SET password = '', shown_at = $2 WHERE id = $1`, id, ts(now))
	return err
}

// DirectoryAccounts lists accounts with their person's and site's names:
// a site's (siteID set) or a user's (userID set), by person's name.
func (tx *Tx) DirectoryAccounts(ctx context.Context, siteID, userID string) ([]*domain.DirectoryAccount, error) {
	where, arg := `x.site_id = $1`, siteID
	if userID != "" {
		where, arg = `x.user_id = $1`, userID
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+accountCols+`, u.name, u.email, s.name FROM directory_accounts x
		JOIN users u ON u.id = x.user_id JOIN sites s ON s.id = x.site_id WHERE `+where+` ORDER BY u.name, s.name, x.id`, arg)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*domain.DirectoryAccount, error) {
		var un, ue, sn string
		a, err := scanAccount(s, &un, &ue, &sn)
		if a != nil {
			a.UserName, a.UserEmail, a.SiteName = un, ue, sn
		}
		return a, err
	})
}

// wanted is the condition, over site_assignments a, sites s and users u,
// under which a person should have an enabled account in the site's
// directory: assigned, access not expired at $1, the person active, the
// site ready or suspended (a suspension keeps data and assignments).
const wanted = `s.state IN ('ready', 'suspended') AND u.state = 'active' AND (a.expires_at IS NULL OR a.expires_at > $1)`

// DirectoryTasks lists up to limit people whose account in a site's
// directory is not as their access says: to create (or enable), to
// disable, or left half-done. siteID or userID narrow it ("" for all).
func (tx *Tx) DirectoryTasks(ctx context.Context, now time.Time, siteID, userID string, limit int) ([]domain.DirectoryTask, error) {
	args := []any{ts(now), limit}
	var siteP, userP string
	if siteID != "" {
		args = append(args, siteID)
		siteP = fmt.Sprintf("$%d", len(args))
	}
	if userID != "" {
		args = append(args, userID)
		userP = fmt.Sprintf("$%d", len(args))
	}
	filter := func(alias string) string {
		f := ""
		if siteP != "" {
			f += " AND " + alias + ".site_id = " + siteP
		}
		if userP != "" {
			f += " AND " + alias + ".user_id = " + userP
		}
		return f
	}
	q := `SELECT a.site_id, a.user_id FROM site_assignments a
			JOIN site_directories d ON d.site_id = a.site_id
			JOIN sites s ON s.id = a.site_id JOIN users u ON u.id = a.user_id
			LEFT JOIN directory_accounts x ON x.site_id = a.site_id AND x.user_id = a.user_id
			WHERE ` + wanted + ` AND (x.state IS NULL OR x.state NOT IN ('creating', 'active'))` + filter("a") + `
		UNION
		SELECT x.site_id, x.user_id FROM directory_accounts x WHERE x.state IN ('creating', 'disabling')` + filter("x") + `
		UNION
		SELECT x.site_id, x.user_id FROM directory_accounts x WHERE x.state = 'active'` + filter("x") + ` AND NOT EXISTS (
			SELECT 1 FROM site_assignments a JOIN sites s ON s.id = a.site_id JOIN users u ON u.id = a.user_id
			WHERE a.site_id = x.site_id AND a.user_id = x.user_id AND ` + wanted + `)
		ORDER BY 1, 2 LIMIT $2`
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []domain.DirectoryTask
	for rows.Next() {
		var t domain.DirectoryTask
		if err := rows.Scan(&t.SiteID, &t.UserID); err != nil {
			return nil, translate(err)
		}
		out = append(out, t)
	}
	return out, translate(rows.Err())
}
