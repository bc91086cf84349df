package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// The facts of the compliance report (R-AUDIT-2), read from current data
// so the report is right the moment something is fixed.

// ComplianceUser is a person of the report's scope with what the report
// looks at.
type ComplianceUser = domain.ComplianceUser

// inScope is the condition on column col for the organisations orgIDs
// (nil: every organisation).
func inScope(col string, orgIDs []string, args *[]any) string {
	if orgIDs == nil {
		return "1 = 1"
	}
	if len(orgIDs) == 0 {
		return "1 = 0"
	}
	ph := make([]string, len(orgIDs))
	for i, id := range orgIDs {
		*args = append(*args, id)
		ph[i] = fmt.Sprintf("$%d", len(*args))
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

// ComplianceUsers lists the live users of the organisations in scope, with
// their organisations, in one query.
func (tx *Tx) ComplianceUsers(ctx context.Context, orgIDs []string) ([]*ComplianceUser, error) {
	var args []any
	rows, err := tx.q.QueryContext(ctx, `SELECT `+memberUserCols+`, o.name, o.kind, o.demo, COALESCE(o.partner_id, ''), u.last_active_at,
			COALESCE(e.reason, '')
		FROM users u JOIN orgs o ON o.id = u.org_id LEFT JOIN dormancy_exempt e ON e.user_id = u.id
		WHERE u.state <> 'deleted' AND `+inScope("u.org_id", orgIDs, &args)+` ORDER BY o.name, u.email`, args...)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*ComplianceUser, error) {
		var c ComplianceUser
		u, err := scanUser(scanWith(s, &c.OrgName, &c.OrgKind, &c.OrgDemo, &c.PartnerID, nullTime{&c.LastActiveAt}, &c.Exempt))
		if err != nil {
			return nil, err
		}
		c.User = *u
		return &c, nil
	})
}

// PartnerDomains returns, for each partner, the email domains its people
// use.
func (tx *Tx) PartnerDomains(ctx context.Context, partnerIDs []string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	if len(partnerIDs) == 0 {
		return out, nil
	}
	var args []any
	rows, err := tx.q.QueryContext(ctx, `SELECT org_id, email FROM users WHERE state <> 'deleted' AND `+
		inScope("org_id", partnerIDs, &args), args...)
	if err != nil {
		return nil, translate(err)
	}
	_, err = collect(rows, func(s scanner) (struct{}, error) {
		var org, email string
		if err := s.Scan(&org, &email); err != nil {
			return struct{}{}, translate(err)
		}
		if out[org] == nil {
			out[org] = map[string]bool{}
		}
		out[org][email[strings.LastIndexByte(email, '@')+1:]] = true
		return struct{}{}, nil
	})
	return out, err
}

// ComplianceAssignment is an assignment the report looks at: a partner's,
// or a locked user's.
type ComplianceAssignment = domain.ComplianceAssignment

// ComplianceAssignments lists the partner grants and the assignments of
// locked users on the sites of customers in scope.
func (tx *Tx) ComplianceAssignments(ctx context.Context, orgIDs []string) ([]*ComplianceAssignment, error) {
	var args []any
	scope := inScope("s.customer_id", orgIDs, &args)
	var uscope string
	if orgIDs != nil {
		uscope = " OR " + inScope("u.org_id", orgIDs, &args)
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+assignCols+`, u.name, u.email, u.state, u.updated_at, s.name, s.edition,
			s.customer_id, o.name
		FROM site_assignments a JOIN users u ON u.id = a.user_id JOIN sites s ON s.id = a.site_id JOIN orgs o ON o.id = s.customer_id
		WHERE (a.via = 'partner' OR u.state = 'locked') AND (`+scope+uscope+`) ORDER BY a.id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*ComplianceAssignment, error) {
		var c ComplianceAssignment
		a, err := scanAssignment(s, &c.UserName, &c.UserEmail, &c.UserState, nullTime{&c.UserUpdatedAt}, &c.SiteName,
			&c.Edition, &c.CustomerID, &c.CustomerName)
		if err != nil {
			return nil, err
		}
		c.Assignment = *a
		return &c, nil
	})
}

// ComplianceOrgs lists the organisations in scope with how many live
// administrators each has.
func (tx *Tx) ComplianceOrgs(ctx context.Context, orgIDs []string) ([]*domain.Org, []int, error) {
	var args []any
	rows, err := tx.q.QueryContext(ctx, `SELECT o.id, o.kind, o.name, o.created_at, (SELECT COUNT(*) FROM users u
			WHERE u.org_id = o.id AND u.state IN ('invited', 'active') AND (',' || u.roles || ',') LIKE
				('%,' || (CASE o.kind WHEN 'partner' THEN 'partner_admin' WHEN 'customer' THEN 'customer_admin' ELSE 'operator' END) || ',%'))
		FROM orgs o WHERE `+inScope("o.id", orgIDs, &args)+` ORDER BY o.name`, args...)
	if err != nil {
		return nil, nil, translate(err)
	}
	var counts []int
	orgs, err := collect(rows, func(s scanner) (*domain.Org, error) {
		var o domain.Org
		var n int
		if err := s.Scan(&o.ID, &o.Kind, &o.Name, nullTime{&o.CreatedAt}, &n); err != nil {
			return nil, translate(err)
		}
		counts = append(counts, n)
		return &o, nil
	})
	return orgs, counts, err
}

// SetDormancyExempt marks a break-glass account, never locked for
// dormancy (R-PLUS-4); exempt false clears the mark.
func (tx *Tx) SetDormancyExempt(ctx context.Context, userID string, exempt bool, reason, by string, now time.Time) error {
	if !exempt {
		_, err := tx.exec(ctx, `DELETE FROM dormancy_exempt WHERE user_id = $1`, userID)
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO dormancy_exempt (user_id, reason, set_by, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET reason = excluded.reason, set_by = excluded.set_by, created_at = excluded.created_at`,
		userID, reason, by, ts(now))
	return err
}

// DormancyExemption returns why a user is exempt, or "" when not.
func (tx *Tx) DormancyExemption(ctx context.Context, userID string) (string, error) {
	var reason string
	err := tx.q.QueryRowContext(ctx, `SELECT reason FROM dormancy_exempt WHERE user_id = $1`, userID).Scan(&reason)
	if err != nil && translate(err) == ErrNotFound {
		return "", nil
	}
	return reason, translate(err)
}

// DormantUser is an active user of an organisation that locks its dormant
// users, quiet since Since (its last sign-in, or its creation), with the
// warning it got, if any.
type DormantUser = domain.DormantUser

// DormantUsers lists the active, not exempt users of organisations that
// lock dormant users (R-PLUS-4), quiet since before quietSince.
func (tx *Tx) DormantUsers(ctx context.Context, quietSince time.Time, limit int) ([]*DormantUser, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+memberUserCols+`, o.name, COALESCE(u.last_active_at, u.created_at), w.warned_at
		FROM users u JOIN orgs o ON o.id = u.org_id AND o.lock_dormant
		LEFT JOIN dormancy_warnings w ON w.user_id = u.id
		WHERE u.state = 'active' AND COALESCE(u.last_active_at, u.created_at) < $1
			AND NOT EXISTS (SELECT 1 FROM dormancy_exempt e WHERE e.user_id = u.id)
		ORDER BY u.id LIMIT $2`, ts(quietSince), limit)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (*DormantUser, error) {
		var d DormantUser
		u, err := scanUser(scanWith(s, &d.OrgName, nullTime{&d.Since}, nullTime{&d.WarnedAt}))
		if err != nil {
			return nil, err
		}
		d.User = *u
		return &d, nil
	})
}

// WarnDormant records the warning a dormant user got.
func (tx *Tx) WarnDormant(ctx context.Context, userID string, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO dormancy_warnings (user_id, warned_at) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET warned_at = excluded.warned_at`, userID, ts(now))
	return err
}

// ComplianceSite is a site whose infrastructure is failing: its
// provisioning failed, or its directory has refused or not answered for
// some accounts.
type ComplianceSite = domain.ComplianceSite

// ComplianceSites lists the failing sites of customers in scope.
func (tx *Tx) ComplianceSites(ctx context.Context, orgIDs []string) ([]*ComplianceSite, error) {
	var args []any
	scope := inScope("s.customer_id", orgIDs, &args)
	rows, err := tx.q.QueryContext(ctx, `SELECT `+prefixed("s.", siteCols)+`, o.name,
			(SELECT COUNT(*) FROM directory_accounts x WHERE x.site_id = s.id AND x.state IN ('creating', 'disabling') AND x.attempts > 0),
			(SELECT MIN(x.updated_at) FROM directory_accounts x WHERE x.site_id = s.id AND x.state IN ('creating', 'disabling') AND x.attempts > 0),
			COALESCE((SELECT MAX(x.last_error) FROM directory_accounts x WHERE x.site_id = s.id AND x.state IN ('creating', 'disabling') AND x.attempts > 0), '')
		FROM sites s JOIN orgs o ON o.id = s.customer_id
		WHERE (s.state = 'failed' OR EXISTS (SELECT 1 FROM directory_accounts x WHERE x.site_id = s.id
			AND x.state IN ('creating', 'disabling') AND x.attempts > 0)) AND `+scope+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(sc scanner) (*ComplianceSite, error) {
		var c ComplianceSite
		var since time.Time
		err := sc.Scan(&c.ID, &c.CustomerID, &c.Name, &c.Edition, &c.State, &c.SuspendReason, nullTime{&c.SuspendUntil},
			nullTime{&c.PurgeAt}, &c.ProvisionError, nullTime{&c.CreatedAt}, nullTime{&c.UpdatedAt}, &c.CustomerName,
			&c.PendingAccounts, nullTime{&since}, &c.LastAccountError)
		c.PendingSince = since
		return &c, translate(err)
	})
}

// prefixed qualifies each of a list of columns with p.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
