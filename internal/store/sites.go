package store

import (
	"context"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const siteCols = `id, customer_id, name, edition, state, suspend_reason, suspend_until, purge_at, provision_error, created_at, updated_at`

func scanSite(s scanner) (*domain.Site, error) {
	var x domain.Site
	err := s.Scan(&x.ID, &x.CustomerID, &x.Name, &x.Edition, &x.State, &x.SuspendReason,
		nullTime{&x.SuspendUntil}, nullTime{&x.PurgeAt}, &x.ProvisionError, nullTime{&x.CreatedAt}, nullTime{&x.UpdatedAt})
	if err != nil {
		return nil, translate(err)
	}
	return &x, nil
}

// CreateSite inserts s.
func (tx *Tx) CreateSite(ctx context.Context, s *domain.Site) error {
	_, err := tx.exec(ctx, `INSERT INTO sites (`+siteCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.ID, s.CustomerID, s.Name, s.Edition, s.State, s.SuspendReason, ts(s.SuspendUntil), ts(s.PurgeAt),
		s.ProvisionError, ts(s.CreatedAt), ts(s.UpdatedAt))
	return err
}

// Site returns the site with id if it is in scope, or ErrNotFound.
func (tx *Tx) Site(ctx context.Context, sc domain.Scope, id string) (*domain.Site, error) {
	a := &scopeArgs{args: []any{id}}
	return scanSite(tx.q.QueryRowContext(ctx, `SELECT `+siteCols+` FROM sites s WHERE s.id = $1 AND `+siteRowInScope("s", sc, a), a.args...))
}

// SiteWithCustomer returns the site with id in scope and its customer, in
// one query, or ErrNotFound.
func (tx *Tx) SiteWithCustomer(ctx context.Context, sc domain.Scope, id string) (*domain.Site, *domain.Org, error) {
	a := &scopeArgs{args: []any{id}}
	var both collector
	s, _ := scanSite(&both)
	o, _ := scanOrg(&both)
	err := tx.q.QueryRowContext(ctx, `SELECT `+prefixed("s.", siteCols)+`, o.id, o.kind, o.name, COALESCE(o.partner_id, ''), o.demo,
			COALESCE(o.main_contact_id, ''), o.require_mfa, o.lock_dormant, o.review_auto_remove, o.created_at
		FROM sites s JOIN orgs o ON o.id = s.customer_id WHERE s.id = $1 AND `+siteRowInScope("s", sc, a), a.args...).Scan(both...)
	if err != nil {
		return nil, nil, translate(err)
	}
	return s, o, nil
}

// collector is a scanner that only notes the destinations it is given, so
// that two scan functions can read one row.
type collector []any

// Scan notes dest.
func (c *collector) Scan(dest ...any) error {
	*c = append(*c, dest...)
	return nil
}

// UpdateSite writes the mutable fields of s.
func (tx *Tx) UpdateSite(ctx context.Context, s *domain.Site) error {
	tx.touch(s.ID, "")
	n, err := tx.exec(ctx, `UPDATE sites SET name = $2, state = $3, suspend_reason = $4, suspend_until = $5,
			purge_at = $6, provision_error = $7, updated_at = $8 WHERE id = $1`,
		s.ID, s.Name, s.State, s.SuspendReason, ts(s.SuspendUntil), ts(s.PurgeAt), s.ProvisionError, ts(s.UpdatedAt))
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// MoveSite writes s like UpdateSite if the site is still in state from;
// false when another change moved it first.
func (tx *Tx) MoveSite(ctx context.Context, s *domain.Site, from domain.SiteState) (bool, error) {
	tx.touch(s.ID, "")
	n, err := tx.exec(ctx, `UPDATE sites SET name = $2, state = $3, suspend_reason = $4, suspend_until = $5,
			purge_at = $6, provision_error = $7, updated_at = $8 WHERE id = $1 AND state = $9`,
		s.ID, s.Name, s.State, s.SuspendReason, ts(s.SuspendUntil), ts(s.PurgeAt), s.ProvisionError, ts(s.UpdatedAt), from)
	return n == 1, err
}

// Sites lists sites matching f, ordered by id. Deleted sites are listed
// only when f.State asks for them.
func (tx *Tx) Sites(ctx context.Context, f domain.SiteFilter) (domain.List[*domain.Site], error) {
	var where []string
	var args []any
	if f.CustomerID != nil {
		args = append(args, *f.CustomerID)
		where = append(where, fmt.Sprintf("customer_id = $%d", len(args)))
	}
	if f.PartnerID != nil {
		args = append(args, *f.PartnerID)
		where = append(where, fmt.Sprintf("customer_id IN (SELECT id FROM orgs WHERE partner_id = $%d)", len(args)))
	}
	if f.AssignedUserID != nil {
		args = append(args, *f.AssignedUserID)
		where = append(where, fmt.Sprintf("id IN (SELECT site_id FROM site_assignments WHERE user_id = $%d)", len(args)))
	}
	if f.State != nil {
		args = append(args, *f.State)
		where = append(where, fmt.Sprintf("state = $%d", len(args)))
	} else {
		where = append(where, "state <> 'deleted'")
	}
	where, args = searched(where, args, f.Search, "lower(name)")
	return listPage(ctx, tx, siteCols, "sites", where, args, "id", f.Page, scanSite, func(s *domain.Site) string { return s.ID })
}

const companyCols = `id, site_id, name, created_at`

func scanCompany(s scanner) (*domain.Company, error) {
	var c domain.Company
	if err := s.Scan(&c.ID, &c.SiteID, &c.Name, nullTime{&c.CreatedAt}); err != nil {
		return nil, translate(err)
	}
	return &c, nil
}

// CreateCompany inserts c; a duplicate name on the site gives ErrUnique.
func (tx *Tx) CreateCompany(ctx context.Context, c *domain.Company) error {
	_, err := tx.exec(ctx, `INSERT INTO companies (`+companyCols+`) VALUES ($1, $2, $3, $4)`,
		c.ID, c.SiteID, c.Name, ts(c.CreatedAt))
	return err
}

// Company returns the company with id on a site in scope, or ErrNotFound.
func (tx *Tx) Company(ctx context.Context, sc domain.Scope, id string) (*domain.Company, error) {
	a := &scopeArgs{args: []any{id}}
	return scanCompany(tx.q.QueryRowContext(ctx, `SELECT `+companyCols+` FROM companies WHERE id = $1 AND `+
		siteInScope("site_id", sc, a), a.args...))
}

// RenameCompany sets the company's name.
func (tx *Tx) RenameCompany(ctx context.Context, id, name string) error {
	n, err := tx.exec(ctx, `UPDATE companies SET name = $2 WHERE id = $1`, id, name)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// Companies lists the site's companies, ordered by id.
func (tx *Tx) Companies(ctx context.Context, siteID string, p domain.Page) (domain.List[*domain.Company], error) {
	where, args, tail := pageClause([]string{"site_id = $1"}, []any{siteID}, "id", p)
	rows, err := tx.q.QueryContext(ctx, `SELECT `+companyCols+` FROM companies`+whereSQL(where)+tail, args...)
	if err != nil {
		return domain.List[*domain.Company]{}, translate(err)
	}
	items, err := collect(rows, scanCompany)
	return trimPage(items, p, func(c *domain.Company) string { return c.ID }), err
}

// SitesToPurge lists cancelled sites whose stasis ended by now.
func (tx *Tx) SitesToPurge(ctx context.Context, now time.Time, limit int) ([]*domain.Site, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+siteCols+` FROM sites
		WHERE state = 'cancelled' AND purge_at IS NOT NULL AND purge_at <= $1 ORDER BY purge_at LIMIT $2`, ts(now), limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanSite)
}

// DeleteSiteAssignments removes every site and company assignment of a
// site, and its pending partner requests' links, returning the site
// assignments removed.
func (tx *Tx) DeleteSiteAssignments(ctx context.Context, siteID string) ([]*domain.Assignment, error) {
	tx.touch(siteID, "")
	rows, err := tx.q.QueryContext(ctx, `SELECT `+assignCols+` FROM site_assignments a WHERE a.site_id = $1 ORDER BY a.id`, siteID)
	if err != nil {
		return nil, translate(err)
	}
	as, err := collect(rows, func(s scanner) (*domain.Assignment, error) { return scanAssignment(s) })
	if err != nil {
		return nil, err
	}
	for _, q := range []string{
		`DELETE FROM company_assignments WHERE site_id = $1`,
		`DELETE FROM site_assignments WHERE site_id = $1`,
		`DELETE FROM accountant_invites WHERE site_id = $1`,
		`UPDATE access_requests SET state = 'withdrawn' WHERE site_id = $1 AND state = 'pending'`,
	} {
		if _, err := tx.exec(ctx, q, siteID); err != nil {
			return nil, err
		}
	}
	return as, nil
}
