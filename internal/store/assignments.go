package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

const assignCols = `a.id, a.site_id, a.user_id, a.role, a.via, a.expires_at, a.created_by, a.created_at`

func scanAssignment(s scanner, extra ...any) (*domain.Assignment, error) {
	var a domain.Assignment
	dest := append([]any{&a.ID, &a.SiteID, &a.UserID, &a.Role, &a.Via, nullTime{&a.ExpiresAt}, &a.CreatedBy,
		nullTime{&a.CreatedAt}}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, translate(err)
	}
	return &a, nil
}

// CreateAssignment inserts a; the user already on the site gives ErrUnique.
// A departure recorded for the user and site is forgotten: the user is
// back.
func (tx *Tx) CreateAssignment(ctx context.Context, a *domain.Assignment) (err error) {
	tx.touch("", a.UserID)
	defer tx.writingAssignmentsOf(a.UserID)(&err)
	if _, err := tx.exec(ctx, `DELETE FROM site_departures WHERE site_id = $1 AND user_id = $2`, a.SiteID, a.UserID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO site_assignments (id, site_id, user_id, role, via, expires_at, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		a.ID, a.SiteID, a.UserID, a.Role, a.Via, ts(a.ExpiresAt), a.CreatedBy, ts(a.CreatedAt))
	return err
}

// Assignment returns the user's assignment to the site, or ErrNotFound.
func (tx *Tx) Assignment(ctx context.Context, siteID, userID string) (*domain.Assignment, error) {
	return scanAssignment(tx.q.QueryRowContext(ctx,
		`SELECT `+assignCols+` FROM site_assignments a WHERE a.site_id = $1 AND a.user_id = $2`, siteID, userID))
}

// DeleteAssignment removes the user from the site, with the user's
// company assignments on that site, and records the departure at now.
func (tx *Tx) DeleteAssignment(ctx context.Context, siteID, userID string, now time.Time) (err error) {
	defer tx.writingAssignmentsOf(userID)(&err)
	if err := tx.depart(ctx, siteID, userID, now); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM company_assignments WHERE site_id = $1 AND user_id = $2`, siteID, userID); err != nil {
		return err
	}
	n, err := tx.exec(ctx, `DELETE FROM site_assignments WHERE site_id = $1 AND user_id = $2`, siteID, userID)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// DeleteUserAssignments removes every site and company assignment of the
// user, records the departures at now, and returns the site assignments
// removed.
func (tx *Tx) DeleteUserAssignments(ctx context.Context, userID string, now time.Time) (_ []*domain.Assignment, err error) {
	defer tx.writingAssignmentsOf(userID)(&err)
	as, err := tx.UserAssignments(ctx, userID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM company_assignments WHERE user_id = $1`, userID); err != nil {
		return nil, err
	}
	// One site at a time, in site order: each deletion updates its site's
	// member count (migration 010), and a fixed order keeps two such
	// transactions from waiting on each other.
	bySite := slices.SortedFunc(slices.Values(as), func(a, b *domain.Assignment) int { return strings.Compare(a.SiteID, b.SiteID) })
	for _, a := range bySite {
		if err := tx.depart(ctx, a.SiteID, userID, now); err != nil {
			return nil, err
		}
		if _, err := tx.exec(ctx, `DELETE FROM site_assignments WHERE site_id = $1 AND user_id = $2`, a.SiteID, userID); err != nil {
			return nil, err
		}
	}
	return as, nil
}

// UserAssignments lists the user's site assignments.
func (tx *Tx) UserAssignments(ctx context.Context, userID string) ([]*domain.Assignment, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+assignCols+` FROM site_assignments a WHERE a.user_id = $1 ORDER BY a.id`, userID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*domain.Assignment, error) { return scanAssignment(s) })
}

// SiteUsers lists the site's dashboard rows (R-SITE-4), ordered by
// assignment id, leaving out access that expired by now.
func (tx *Tx) SiteUsers(ctx context.Context, siteID string, now time.Time, p domain.Page) (domain.List[*domain.SiteUser], error) {
	where, args, tail := pageClause([]string{"a.site_id = $1", grantCurrentSQL("a.expires_at", 2)},
		[]any{siteID, ts(now)}, "a.id", p)
	rows, err := tx.q.QueryContext(ctx, `SELECT `+assignCols+`, u.name, u.email, u.state
		FROM site_assignments a JOIN users u ON u.id = a.user_id`+whereSQL(where)+tail, args...)
	if err != nil {
		return domain.List[*domain.SiteUser]{}, translate(err)
	}
	items, err := collect(rows, func(s scanner) (*domain.SiteUser, error) {
		var su domain.SiteUser
		a, err := scanAssignment(s, &su.UserName, &su.UserEmail, &su.UserState)
		if err != nil {
			return nil, err
		}
		su.Assignment = *a
		return &su, nil
	})
	if err != nil {
		return domain.List[*domain.SiteUser]{}, err
	}
	list := trimPage(items, p, func(su *domain.SiteUser) string { return su.ID })
	// The page's companies in one query, not one per row.
	byUser := map[string]*domain.SiteUser{}
	var ids []string
	for _, su := range list.Items {
		byUser[su.UserID] = su
		ids = append(ids, su.UserID)
	}
	if len(ids) == 0 {
		return list, nil
	}
	cargs := []any{siteID}
	crows, err := tx.q.QueryContext(ctx, `SELECT user_id, company_id FROM company_assignments WHERE site_id = $1 AND `+
		inScope("user_id", ids, &cargs)+` ORDER BY user_id, company_id`, cargs...)
	if err != nil {
		return domain.List[*domain.SiteUser]{}, translate(err)
	}
	_, err = collect(crows, func(s scanner) (struct{}, error) {
		var u, c string
		if err := s.Scan(&u, &c); err != nil {
			return struct{}{}, translate(err)
		}
		byUser[u].Companies = append(byUser[u].Companies, c)
		return struct{}{}, nil
	})
	return list, err
}

// CreateCompanyAssignment gives the user access to the company.
func (tx *Tx) CreateCompanyAssignment(ctx context.Context, ca *domain.CompanyAssignment) (err error) {
	defer tx.writingAssignmentsOf(ca.UserID)(&err)
	_, err = tx.exec(ctx, `INSERT INTO company_assignments (company_id, user_id, site_id, created_at) VALUES ($1, $2, $3, $4)`,
		ca.CompanyID, ca.UserID, ca.SiteID, ts(ca.CreatedAt))
	return err
}

// DeleteCompanyAssignment removes the user from the company.
func (tx *Tx) DeleteCompanyAssignment(ctx context.Context, companyID, userID string) (err error) {
	defer tx.writingAssignmentsOf(userID)(&err)
	n, err := tx.exec(ctx, `DELETE FROM company_assignments WHERE company_id = $1 AND user_id = $2`, companyID, userID)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// AccessFacts reads what the access decision (domain.DecideAccess) needs:
// the site, its customer and the user's assignment to it, with the states
// and, when companyID is set, the user's assignment to the company, in one
// query over primary keys and the assignment index. It returns ErrNotFound
// when there is no such site.
func (tx *Tx) AccessFacts(ctx context.Context, siteID, userID, companyID string) (*domain.AccessFacts, error) {
	var f domain.AccessFacts
	var role, via, userState string
	err := tx.q.QueryRowContext(ctx, `SELECT s.state, s.customer_id, COALESCE(o.partner_id, ''),
			COALESCE(u.state, ''), COALESCE(a.role, ''), COALESCE(a.via, ''), a.expires_at,
			COALESCE((SELECT c.site_id FROM companies c WHERE c.id = $3), ''),
			EXISTS (SELECT 1 FROM company_assignments ca WHERE ca.company_id = $3 AND ca.user_id = $2)
		FROM sites s
		JOIN orgs o ON o.id = s.customer_id
		LEFT JOIN site_assignments a ON a.site_id = s.id AND a.user_id = $2
		LEFT JOIN users u ON u.id = a.user_id
		WHERE s.id = $1`, siteID, userID, companyID).
		Scan(&f.SiteState, &f.CustomerID, &f.PartnerID, &userState, &role, &via, nullTime{&f.ExpiresAt}, &f.CompanySiteID, &f.InCompany)
	if err != nil {
		return nil, translate(err)
	}
	f.Assigned, f.UserState, f.Role, f.Via = role != "", domain.UserState(userState), domain.Role(role), domain.AccessVia(via)
	return &f, nil
}

// OrgAdmins lists the active administrators of an organisation: for a
// customer, the
// people told of every assignment (R-ASSIGN-2).
func (tx *Tx) OrgAdmins(ctx context.Context, orgID string, admin domain.Role) ([]*domain.User, error) {
	// The administrators of partners and customers are read through the
	// partial index users_org_admins, whose own condition is repeated
	// here for the planner; the vendor's operators are few.
	narrow := ""
	if strings.Contains(string(admin), "admin") {
		narrow = ` AND roles LIKE '%admin%'`
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+userCols+` FROM users
		WHERE org_id = $1 AND state = 'active'`+narrow+` AND (',' || roles || ',') LIKE ('%,' || $2 || ',%') ORDER BY id`,
		orgID, string(admin))
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanUser)
}
