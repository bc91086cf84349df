package store

import (
	"fmt"
	"strings"

	"github.com/provisio/provisio/internal/domain"
)

// The tenancy predicates (R-ORG-1), written once each: reads of tenant data
// by id add the predicate of their kind, so a row outside the caller's
// scope is simply not found. The app decides the scope (app/authz.go);
// these only apply it.

// scopeArgs appends the values of a predicate to args and returns their
// placeholders.
type scopeArgs struct{ args []any }

func (a *scopeArgs) p(v any) string {
	a.args = append(a.args, v)
	return fmt.Sprintf("$%d", len(a.args))
}

// orgInScope is the predicate on an organisation's id column.
func orgInScope(col string, sc domain.Scope, a *scopeArgs) string {
	if sc.All {
		return "TRUE"
	}
	if sc.OrgID == "" {
		return "FALSE"
	}
	org := a.p(sc.OrgID)
	if !sc.Partner {
		return col + " = " + org
	}
	return fmt.Sprintf("(%s = %s OR %s IN (SELECT id FROM orgs WHERE partner_id = %s))", col, org, col, org)
}

// ownOrgInScope is the predicate on the id column of an organisation's own
// things (its webhooks): a partner's customers keep theirs to themselves.
func ownOrgInScope(col string, sc domain.Scope, a *scopeArgs) string {
	return orgInScope(col, domain.Scope{All: sc.All, OrgID: sc.OrgID}, a)
}

// siteInScope is the predicate on a site's id column.
func siteInScope(col string, sc domain.Scope, a *scopeArgs) string {
	var or []string
	switch {
	case sc.All:
		or = append(or, "TRUE")
	case sc.OrgID != "":
		or = append(or, fmt.Sprintf("%s IN (SELECT id FROM sites WHERE %s)", col, orgInScope("customer_id", sc, a)))
	}
	if sc.Accountant && sc.UserID != "" {
		or = append(or, fmt.Sprintf("%s IN (SELECT site_id FROM site_assignments WHERE user_id = %s)", col, a.p(sc.UserID)))
	}
	if len(or) == 0 {
		return "FALSE"
	}
	pred := "(" + strings.Join(or, " OR ") + ")"
	if !sc.DeletedSites {
		pred = fmt.Sprintf("(%s AND %s IN (SELECT id FROM sites WHERE state <> 'deleted'))", pred, col)
	}
	return pred
}

// siteRowInScope is siteInScope on a sites row itself (alias s): the
// same predicate, read from the row's own columns rather than by looking
// the site up again.
func siteRowInScope(s string, sc domain.Scope, a *scopeArgs) string {
	var or []string
	switch {
	case sc.All:
		or = append(or, "TRUE")
	case sc.OrgID != "":
		or = append(or, orgInScope(s+".customer_id", sc, a))
	}
	if sc.Accountant && sc.UserID != "" {
		or = append(or, fmt.Sprintf("%s.id IN (SELECT site_id FROM site_assignments WHERE user_id = %s)", s, a.p(sc.UserID)))
	}
	if len(or) == 0 {
		return "FALSE"
	}
	pred := "(" + strings.Join(or, " OR ") + ")"
	if !sc.DeletedSites {
		pred = fmt.Sprintf("(%s AND %s.state <> 'deleted')", pred, s)
	}
	return pred
}

// userInScope is the predicate on a users row (alias u): its own
// organisation's users, a partner administrator's demo customers' users,
// and the actor itself.
func userInScope(sc domain.Scope, a *scopeArgs) string {
	if sc.All {
		return "TRUE"
	}
	var or []string
	if sc.OrgID != "" {
		org := a.p(sc.OrgID)
		or = append(or, "u.org_id = "+org)
		if sc.DemoUsers {
			or = append(or, "u.org_id IN (SELECT id FROM orgs WHERE partner_id = "+org+" AND demo)")
		}
	}
	if sc.UserID != "" {
		or = append(or, "u.id = "+a.p(sc.UserID))
	}
	if len(or) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}
