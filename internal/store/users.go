package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/provisio/provisio/internal/domain"
)

const userCols = `id, COALESCE(org_id, ''), type, email, name, roles, state, generic, invite_expires_at, created_at, updated_at, time_zone`

func scanUser(s scanner) (*domain.User, error) {
	var u domain.User
	var roles string
	err := s.Scan(&u.ID, &u.OrgID, &u.Type, &u.Email, &u.Name, &roles, &u.State, &u.Generic,
		nullTime{&u.InviteExpiresAt}, nullTime{&u.CreatedAt}, nullTime{&u.UpdatedAt}, &u.TimeZone)
	if err != nil {
		return nil, translate(err)
	}
	u.Roles = splitRoles(roles)
	return &u, nil
}

// SetTimeZone sets the zone the user reads dates in ("" for UTC).
func (tx *Tx) SetTimeZone(ctx context.Context, userID, zone string) error {
	return tx.execOne(ctx, `UPDATE users SET time_zone = $2 WHERE id = $1`, userID, zone)
}

func joinRoles(rs []domain.Role) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

func splitRoles(s string) []domain.Role {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]domain.Role, len(parts))
	for i, p := range parts {
		out[i] = domain.Role(p)
	}
	return out
}

// CreateUser inserts u. A live user with the same email gives ErrUnique.
func (tx *Tx) CreateUser(ctx context.Context, u *domain.User) error {
	_, err := tx.exec(ctx, `INSERT INTO users (id, org_id, type, email, name, roles, state, generic,
			invite_expires_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, nullable(u.OrgID), u.Type, u.Email, u.Name, joinRoles(u.Roles), u.State, u.Generic,
		ts(u.InviteExpiresAt), ts(u.CreatedAt), ts(u.UpdatedAt))
	return err
}

// User returns the user with id, deleted or not, if it is in scope, or
// ErrNotFound.
func (tx *Tx) User(ctx context.Context, sc domain.Scope, id string) (*domain.User, error) {
	a := &scopeArgs{args: []any{id}}
	return scanUser(tx.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1 AND `+userInScope(sc, a), a.args...))
}

// UserByEmail returns the live (not deleted) user with the normalised
// email, or ErrNotFound.
func (tx *Tx) UserByEmail(ctx context.Context, email string) (*domain.User, error) {
	return scanUser(tx.q.QueryRowContext(ctx,
		`SELECT `+userCols+` FROM users WHERE email = $1 AND state <> 'deleted'`, email))
}

// Users lists users matching f, ordered by id. Deleted users are listed
// only when f.State asks for them.
func (tx *Tx) Users(ctx context.Context, f domain.UserFilter) (domain.List[*domain.User], error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.OrgID != nil {
		add("org_id = $%d", *f.OrgID)
	}
	if f.State != nil {
		add("state = $%d", *f.State)
	} else {
		where = append(where, "state <> 'deleted'")
	}
	if f.Role != nil {
		add("(',' || roles || ',') LIKE ('%%,' || $%d || ',%%') ESCAPE '\\'", likeLiteral(string(*f.Role)))
	}
	where, args = searched(where, args, f.Search, "lower(name)", "email")
	return listPage(ctx, tx, userCols, "users", where, args, "id", f.Page, scanUser, func(u *domain.User) string { return u.ID })
}

// CountAdmins counts the organisation's administrators that are neither
// locked nor deleted, leaving out the user except (R-ROLE-5).
func (tx *Tx) CountAdmins(ctx context.Context, orgID string, admin domain.Role, except string) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users
		WHERE org_id = $1 AND state IN ('invited', 'active') AND id <> $2 AND (',' || roles || ',') LIKE ('%,' || $3 || ',%')`,
		orgID, except, string(admin)).Scan(&n)
	return n, translate(err)
}

// UpdateUser writes the mutable fields of u.
func (tx *Tx) UpdateUser(ctx context.Context, u *domain.User) error {
	tx.touch("", u.ID)
	n, err := tx.exec(ctx, `UPDATE users SET email = $2, name = $3, roles = $4, state = $5, generic = $6,
			invite_expires_at = $7, updated_at = $8 WHERE id = $1`,
		u.ID, u.Email, u.Name, joinRoles(u.Roles), u.State, u.Generic, ts(u.InviteExpiresAt), ts(u.UpdatedAt))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// SetPassword stores the user's password hash.
func (tx *Tx) SetPassword(ctx context.Context, userID, hash string) error {
	_, err := tx.exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, hash)
	return err
}

// PasswordHash returns the stored hash of the user's password ("" if none).
func (tx *Tx) PasswordHash(ctx context.Context, userID string) (string, error) {
	var h string
	err := tx.q.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&h)
	return h, translate(err)
}

// UsersByID returns the users with the given ids, whatever their tenant,
// by id, in one query. Ids that match nobody are left out.
func (tx *Tx) UsersByID(ctx context.Context, ids []string) (map[string]*domain.User, error) {
	out := map[string]*domain.User{}
	if len(ids) == 0 {
		return out, nil
	}
	var args []any
	rows, err := tx.q.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE `+inScope("id", ids, &args), args...)
	if err != nil {
		return nil, translate(err)
	}
	users, err := collect(rows, scanUser)
	for _, u := range users {
		out[u.ID] = u
	}
	return out, err
}
