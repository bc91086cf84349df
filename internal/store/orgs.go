package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/provisio/provisio/internal/domain"
)

const orgCols = `id, kind, name, COALESCE(partner_id, ''), demo, COALESCE(main_contact_id, ''), require_mfa, lock_dormant, review_auto_remove, created_at`

func scanOrg(s scanner) (*domain.Org, error) {
	var o domain.Org
	err := s.Scan(&o.ID, &o.Kind, &o.Name, &o.PartnerID, &o.Demo, &o.MainContactID, &o.RequireMFA, &o.LockDormant, &o.ReviewAutoRemove, nullTime{&o.CreatedAt})
	if err != nil {
		return nil, translate(err)
	}
	return &o, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateOrg inserts o.
func (tx *Tx) CreateOrg(ctx context.Context, o *domain.Org) error {
	_, err := tx.exec(ctx, `INSERT INTO orgs (id, kind, name, partner_id, demo, main_contact_id, require_mfa, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		o.ID, o.Kind, o.Name, nullable(o.PartnerID), o.Demo, nullable(o.MainContactID), o.RequireMFA, ts(o.CreatedAt))
	return err
}

// Org returns the organisation with id if it is in scope, or ErrNotFound.
func (tx *Tx) Org(ctx context.Context, sc domain.Scope, id string) (*domain.Org, error) {
	a := &scopeArgs{args: []any{id}}
	return scanOrg(tx.q.QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = $1 AND `+orgInScope("id", sc, a), a.args...))
}

// Vendor returns the vendor organisation, or ErrNotFound before bootstrap.
func (tx *Tx) Vendor(ctx context.Context) (*domain.Org, error) {
	return scanOrg(tx.q.QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE kind = 'vendor'`))
}

// Orgs lists organisations matching f, ordered by id.
func (tx *Tx) Orgs(ctx context.Context, f domain.OrgFilter) (domain.List[*domain.Org], error) {
	var where []string
	var args []any
	if f.Kind != nil {
		args = append(args, *f.Kind)
		where = append(where, fmt.Sprintf("kind = $%d", len(args)))
	}
	if f.PartnerID != nil {
		args = append(args, *f.PartnerID)
		where = append(where, fmt.Sprintf("partner_id = $%d", len(args)))
	}
	where, args = searched(where, args, f.Search, "lower(name)")
	return listPage(ctx, tx, orgCols, "orgs", where, args, "id", f.Page, scanOrg, func(o *domain.Org) string { return o.ID })
}

// UpdateOrg writes the mutable fields of o.
func (tx *Tx) UpdateOrg(ctx context.Context, o *domain.Org) error {
	n, err := tx.exec(ctx, `UPDATE orgs SET name = $2, partner_id = $3, demo = $4, main_contact_id = $5, require_mfa = $6,
			lock_dormant = $7, review_auto_remove = $8 WHERE id = $1`,
		o.ID, o.Name, nullable(o.PartnerID), o.Demo, nullable(o.MainContactID), o.RequireMFA, o.LockDormant, o.ReviewAutoRemove)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, translate(rows.Err())
}

// CustomerIDs lists the ids of the partner's linked customers.
func (tx *Tx) CustomerIDs(ctx context.Context, partnerID string) ([]string, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id FROM orgs WHERE partner_id = $1 ORDER BY id`, partnerID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (string, error) {
		var id string
		return id, translate(s.Scan(&id))
	})
}
