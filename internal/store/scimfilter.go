package store

import (
	"fmt"
	"slices"
	"strings"
	"time"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/provisio/provisio/internal/domain"
)

// The translation of SCIM filters (RFC 7644 section 3.4.2.2) to SQL. A
// filter becomes one WHERE condition with $N arguments, so the database
// does the filtering and paging on both engines; nothing is loaded to be
// filtered in memory.

// attrKind is how an attribute compares.
type attrKind int

const (
	kindText     attrKind = iota // compared case-insensitively (caseExact false)
	kindExact                    // compared as it is (caseExact true)
	kindBool                     // true or false
	kindTime                     // a date-time, stored as microseconds
	kindMultiple                 // a multi-valued attribute: its rows are searched
)

// attrSQL is how one attribute is read in SQL.
type attrSQL struct {
	kind attrKind
	col  string
	// For kindMultiple: the sub-query over the attribute's rows, with %s
	// for the condition on them, its own attributes, and the sub-attribute
	// a bare reference means (emails means emails.value).
	exists string
	sub    map[string]attrSQL
	value  string
}

// filterSQL translates SCIM filters over one resource's attributes.
type filterSQL struct {
	attrs  map[string]attrSQL // lower-case attribute path -> SQL
	args   []any
	sqlite bool // LIKE ignores case there: exact attributes compare otherwise
}

// errFilter is a filter Provisio cannot apply; it answers 400 invalidFilter.
func errFilter(format string, args ...any) error {
	return &domain.Error{Code: domain.EInvalid, Field: "filter", Message: fmt.Sprintf(format, args...)}
}

func (f *filterSQL) arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

// where returns the condition for e.
func (f *filterSQL) where(e filter.Expression) (string, error) {
	return f.expr(e, f.attrs)
}

func (f *filterSQL) expr(e filter.Expression, attrs map[string]attrSQL) (string, error) {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		l, err := f.expr(x.Left, attrs)
		if err != nil {
			return "", err
		}
		r, err := f.expr(x.Right, attrs)
		if err != nil {
			return "", err
		}
		op := "AND"
		if strings.EqualFold(string(x.Operator), "or") {
			op = "OR"
		}
		return "(" + l + " " + op + " " + r + ")", nil
	case *filter.NotExpression:
		c, err := f.expr(x.Expression, attrs)
		if err != nil {
			return "", err
		}
		return "NOT (" + c + ")", nil
	case *filter.ValuePath:
		a, name, err := lookup(x.AttributePath, attrs)
		if err != nil {
			return "", err
		}
		if a.kind != kindMultiple {
			return "", errFilter("%s is not multi-valued, so it takes no [filter]", name)
		}
		c, err := f.expr(x.ValueFilter, a.sub)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(a.exists, c), nil
	case *filter.AttributeExpression:
		a, name, err := lookup(x.AttributePath, attrs)
		if err != nil {
			return "", err
		}
		if a.kind == kindMultiple {
			sub := x.AttributePath.SubAttributeName()
			if sub == "" {
				sub = a.value
			}
			inner := *x // the caller's filter stays as it was
			inner.AttributePath = filter.AttributePath{AttributeName: sub}
			c, err := f.expr(&inner, a.sub)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf(a.exists, c), nil
		}
		return f.compare(a, name, x.Operator, x.CompareValue)
	}
	return "", errFilter("unsupported filter expression %v", e)
}

// lookup finds the attribute a path names; the core schemas' URI prefix
// may be given.
func lookup(p filter.AttributePath, attrs map[string]attrSQL) (attrSQL, string, error) {
	name := strings.ToLower(p.AttributeName)
	if sub := p.SubAttributeName(); sub != "" {
		name += "." + strings.ToLower(sub)
	}
	if a, ok := attrs[name]; ok {
		return a, p.String(), nil
	}
	if p.SubAttribute != nil { // emails.value: the multi-valued attribute decides
		if a, ok := attrs[strings.ToLower(p.AttributeName)]; ok && a.kind == kindMultiple {
			return a, p.String(), nil
		}
	}
	return attrSQL{}, "", errFilter("cannot filter on %q; filterable attributes are %s", p.String(), filterable(attrs))
}

func filterable(attrs map[string]attrSQL) string {
	var names []string
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func (f *filterSQL) compare(a attrSQL, name string, op filter.CompareOperator, v any) (string, error) {
	op = filter.CompareOperator(strings.ToLower(string(op)))
	if op == filter.PR {
		switch a.kind {
		case kindText, kindExact:
			return fmt.Sprintf("(%s IS NOT NULL AND %s <> '')", a.col, a.col), nil
		}
		return a.col + " IS NOT NULL", nil
	}
	switch a.kind {
	case kindBool:
		b, ok := v.(bool)
		if !ok {
			return "", errFilter("%s is true or false, not %v", name, v)
		}
		switch op {
		case filter.EQ:
			return fmt.Sprintf("%s = %s", a.col, f.arg(b)), nil
		case filter.NE:
			return fmt.Sprintf("%s <> %s", a.col, f.arg(b)), nil
		}
		return "", errFilter("%s is true or false: it takes eq, ne or pr, not %s", name, op)
	case kindTime:
		s, ok := v.(string)
		if !ok {
			return "", errFilter("%s compares with a date-time in quotes", name)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return "", errFilter("%s compares with a date-time such as 2026-01-31T12:00:00Z, not %q", name, s)
		}
		sqlOp, ok := orderOps[op]
		if !ok {
			if op == filter.EQ {
				sqlOp = "="
			} else if op == filter.NE {
				sqlOp = "<>"
			} else {
				return "", errFilter("%s is a date-time: it takes eq, ne, gt, ge, lt, le or pr, not %s", name, op)
			}
		}
		return fmt.Sprintf("%s %s %s", a.col, sqlOp, f.arg(t.UnixMicro())), nil
	}
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return "", errFilter("%s compares with a string", name)
		}
		s = fmt.Sprint(v)
	}
	col := a.col
	if a.kind == kindText {
		col, s = "lower("+a.col+")", strings.ToLower(s)
	}
	if a.kind == kindExact && f.sqlite { // SQLite's LIKE ignores ASCII case
		switch op {
		case filter.CO:
			return fmt.Sprintf("instr(%s, %s) > 0", col, f.arg(s)), nil
		case filter.SW:
			p := f.arg(s)
			return fmt.Sprintf("substr(%s, 1, length(%s)) = %s", col, p, p), nil
		case filter.EW:
			p := f.arg(s)
			return fmt.Sprintf("(length(%[1]s) >= length(%[2]s) AND substr(%[1]s, length(%[1]s) - length(%[2]s) + 1) = %[2]s)", col, p), nil
		}
	}
	switch op {
	case filter.EQ:
		return fmt.Sprintf("%s = %s", col, f.arg(s)), nil
	case filter.NE:
		return fmt.Sprintf("%s <> %s", col, f.arg(s)), nil
	case filter.CO:
		return fmt.Sprintf(`%s LIKE %s ESCAPE '\'`, col, f.arg("%"+likeLiteral(s)+"%")), nil
	case filter.SW:
		return fmt.Sprintf(`%s LIKE %s ESCAPE '\'`, col, f.arg(likeLiteral(s)+"%")), nil
	case filter.EW:
		return fmt.Sprintf(`%s LIKE %s ESCAPE '\'`, col, f.arg("%"+likeLiteral(s))), nil
	}
	if sqlOp, ok := orderOps[op]; ok {
		return fmt.Sprintf("%s %s %s", col, sqlOp, f.arg(s)), nil
	}
	return "", errFilter("unknown operator %q", op)
}

var orderOps = map[filter.CompareOperator]string{filter.GT: ">", filter.GE: ">=", filter.LT: "<", filter.LE: "<="}

// scimUserAttrs are the filterable attributes of a provisioned user.
var scimUserAttrs = map[string]attrSQL{
	"id":                {kind: kindExact, col: "s.user_id"},
	"username":          {kind: kindText, col: "s.user_name"},
	"externalid":        {kind: kindExact, col: "s.external_id"},
	"displayname":       {kind: kindText, col: "s.display_name"},
	"name.givenname":    {kind: kindText, col: "s.given_name"},
	"name.familyname":   {kind: kindText, col: "s.family_name"},
	"name.formatted":    {kind: kindText, col: "s.formatted"},
	"active":            {kind: kindBool, col: "s.active"},
	"meta.created":      {kind: kindTime, col: "s.created_at"},
	"meta.lastmodified": {kind: kindTime, col: "s.updated_at"},
	"emails": {kind: kindMultiple, value: "value",
		exists: "EXISTS (SELECT 1 FROM scim_user_emails e WHERE e.user_id = s.user_id AND %s)",
		sub: map[string]attrSQL{
			"value":   {kind: kindText, col: "e.value"},
			"type":    {kind: kindText, col: "e.type"},
			"primary": {kind: kindBool, col: "e.is_primary"},
		}},
	"groups": {kind: kindMultiple, value: "value",
		exists: "EXISTS (SELECT 1 FROM scim_group_members gm JOIN scim_groups g ON g.id = gm.group_id WHERE gm.user_id = s.user_id AND %s)",
		sub: map[string]attrSQL{
			"value":   {kind: kindExact, col: "g.id"},
			"display": {kind: kindText, col: "g.display_name"},
		}},
}

// scimGroupAttrs are the filterable attributes of a group.
var scimGroupAttrs = map[string]attrSQL{
	"id":                {kind: kindExact, col: "g.id"},
	"displayname":       {kind: kindText, col: "g.display_name"},
	"externalid":        {kind: kindExact, col: "g.external_id"},
	"meta.created":      {kind: kindTime, col: "g.created_at"},
	"meta.lastmodified": {kind: kindTime, col: "g.updated_at"},
	"members": {kind: kindMultiple, value: "value",
		exists: "EXISTS (SELECT 1 FROM scim_group_members m WHERE m.group_id = g.id AND %s)",
		sub: map[string]attrSQL{
			"value":   {kind: kindExact, col: "m.user_id"},
			"display": {kind: kindText, col: "m.display"},
		}},
}

// siteMemberAttrs are the filterable attributes of a site's user list
// (R-APP-1), over the member query of SiteMembers.
var siteMemberAttrs = map[string]attrSQL{
	"id":          {kind: kindExact, col: "m.user_id"},
	"username":    {kind: kindText, col: "u.email"},
	"displayname": {kind: kindText, col: "u.name"},
	"externalid":  {kind: kindExact, col: "COALESCE(l.external_id, '')"},
	"emails": {kind: kindMultiple, value: "value", exists: "(%s)",
		sub: map[string]attrSQL{"value": {kind: kindText, col: "u.email"}}},
}
