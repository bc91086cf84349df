package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/provisio/provisio/internal/domain"
)

// depart records that the user left the site at now (R-APP-1).
func (tx *Tx) depart(ctx context.Context, siteID, userID string, now time.Time) error {
	tx.touch("", userID)
	_, err := tx.exec(ctx, `INSERT INTO site_departures (site_id, user_id, left_at) VALUES ($1, $2, $3)
		ON CONFLICT (site_id, user_id) DO UPDATE SET left_at = excluded.left_at`, siteID, userID, ts(now))
	return err
}

// ForgetDeparturesBefore drops the departures older than before: the
// site's application no longer sees them.
func (tx *Tx) ForgetDeparturesBefore(ctx context.Context, before time.Time) error {
	_, err := tx.exec(ctx, `DELETE FROM site_departures WHERE left_at < $1`, ts(before))
	return err
}

// SiteMemberQuery selects the rows of a site's user list (R-APP-1).
type SiteMemberQuery = domain.SiteMemberQuery

// memberActiveSQL is the access decision over a member row, in SQL: still
// assigned, the user active, and the grant current (m.expired is
// computed against $3; the site's readiness is decided by the caller).
const memberActiveSQL = `(m.left_at IS NULL AND u.state = 'active' AND NOT m.expired)`

const memberUserCols = `u.id, COALESCE(u.org_id, ''), u.type, u.email, u.name, u.roles, u.state, u.generic,
	u.invite_expires_at, u.created_at, u.updated_at, u.time_zone`

// SiteMembers lists the site's users for its application: those assigned
// now, and those who left after q.Since, with the application's link to
// each. Ordered by user id; the count is of all matches.
//
// Without a filter, a page costs about the same on a site of any size:
// the count and the page's user ids come from the two tables' (site_id,
// user_id) indexes alone, merged in order, and only that page's rows are
// joined to their users. With a filter, the database filters the joined
// rows.
func (tx *Tx) SiteMembers(ctx context.Context, q SiteMemberQuery) ([]*domain.SiteMember, int, error) {
	active := memberActiveSQL
	if !q.Ready {
		active = "(1 = 0)"
	}
	attrs := make(map[string]attrSQL, len(siteMemberAttrs)+1)
	for k, v := range siteMemberAttrs {
		attrs[k] = v
	}
	attrs["active"] = attrSQL{kind: kindBool, col: active}
	f := &filterSQL{attrs: attrs, args: []any{q.SiteID, ts(q.Since), ts(q.Now)}, sqlite: tx.dialect == SQLite}
	limit, offset := page(q.SCIMQuery)
	var where []string
	var total int
	inner := "" // narrows both arms of the member rows to one page's users
	if q.Filter != nil {
		c, err := f.where(q.Filter)
		if err != nil {
			return nil, 0, err
		}
		where = append(where, c)
		if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*)`+memberFrom(where, ""), f.args...).Scan(&total); err != nil {
			return nil, 0, translate(err)
		}
	} else {
		// sites.assigned and member_changes are kept by triggers (migration 010).
		var changes int64
		if err := tx.q.QueryRowContext(ctx, `SELECT s.assigned +
				(SELECT COUNT(*) FROM site_departures d WHERE d.site_id = s.id AND d.left_at >= $2), s.member_changes
			FROM sites s WHERE s.id = $1`, q.SiteID, ts(q.Since)).Scan(&total, &changes); err != nil {
			return nil, 0, translate(err)
		}
		if limit == 0 || offset >= total {
			return nil, total, nil
		}
		ids, err := tx.memberPage(ctx, q, fmt.Sprint(changes, "/", total), limit, offset)
		if err != nil || len(ids) == 0 {
			return nil, total, err
		}
		var ph []string
		for _, id := range ids {
			f.args = append(f.args, id)
			ph = append(ph, fmt.Sprintf("$%d", len(f.args)))
		}
		inner = " AND %s.user_id IN (" + strings.Join(ph, ", ") + ")"
		offset = 0
	}
	if limit == 0 {
		return nil, total, nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT m.role, m.via, m.expires_at, m.left_at, COALESCE(l.external_id, ''),
			`+active+`, `+memberUserCols+memberFrom(where, inner)+
		fmt.Sprintf(" ORDER BY m.user_id LIMIT %d OFFSET %d", limit, offset), f.args...)
	if err != nil {
		return nil, 0, translate(err)
	}
	members, err := collect(rows, func(s scanner) (*domain.SiteMember, error) {
		var m domain.SiteMember
		var u domain.User
		var roles string
		err := s.Scan(&m.Role, &m.Via, nullTime{&m.ExpiresAt}, nullTime{&m.LeftAt}, &m.ExternalID, &m.Active,
			&u.ID, &u.OrgID, &u.Type, &u.Email, &u.Name, &roles, &u.State, &u.Generic,
			nullTime{&u.InviteExpiresAt}, nullTime{&u.CreatedAt}, nullTime{&u.UpdatedAt}, &u.TimeZone)
		if err != nil {
			return nil, translate(err)
		}
		u.Roles = splitRoles(roles)
		m.User = &u
		return &m, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return members, total, tx.memberCompanies(ctx, q.SiteID, members)
}

// memberFrom is the member rows of site $1 (departures since $2, grants
// expired by $3) joined to their users and links, under where; inner, a
// condition with %s for each arm's alias, narrows both arms.
func memberFrom(where []string, inner string) string {
	innerA, innerD := "", ""
	if inner != "" {
		innerA, innerD = fmt.Sprintf(inner, "a"), fmt.Sprintf(inner, "d")
	}
	return ` FROM (
			SELECT a.user_id, a.role, a.via, a.expires_at, NULL AS left_at, ` + grantExpiredSQL("a.expires_at", 3) + ` AS expired
				FROM site_assignments a WHERE a.site_id = $1` + innerA + `
			UNION ALL
			SELECT d.user_id, '', '', NULL, d.left_at, FALSE FROM site_departures d WHERE d.site_id = $1 AND d.left_at >= $2` + innerD + `
		) m JOIN users u ON u.id = m.user_id
		LEFT JOIN site_links l ON l.site_id = $1 AND l.user_id = m.user_id` + whereSQL(where)
}

// memberPage returns the user ids of one page of the unfiltered list,
// read from the indexes alone. A client reading page after page (as SCIM
// clients do, startIndex by startIndex) continues after the last id of
// the page before, so no page walks the ones before it; any other page,
// or one after the list changed (state: the site's member changes and
// the total, which departures ageing out lower), counts its way from the
// start.
func (tx *Tx) memberPage(ctx context.Context, q SiteMemberQuery, state string, limit, offset int) ([]string, error) {
	key := func(start int) string { return fmt.Sprintf("%s|%d|%s", q.SiteID, start, state) }
	var ids []string
	var err error
	if last, ok := tx.marks.get(key(offset)); ok || offset == 0 {
		ids, err = tx.membersAfter(ctx, q, last, limit)
	} else {
		ids, err = tx.membersAt(ctx, q, limit, offset)
	}
	if err == nil && len(ids) > 0 {
		tx.marks.put(key(offset+len(ids)), ids[len(ids)-1])
	}
	return ids, err
}

// membersAfter returns the first limit member ids after the id after
// ("" for the start): the first limit of each table, by its index, merged.
func (tx *Tx) membersAfter(ctx context.Context, q SiteMemberQuery, after string, limit int) ([]string, error) {
	ids := func(query string, args ...any) ([]string, error) {
		rows, err := tx.q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, translate(err)
		}
		return collect(rows, func(s scanner) (string, error) {
			var id string
			return id, translate(s.Scan(&id))
		})
	}
	a, err := ids(`SELECT user_id FROM site_assignments WHERE site_id = $1 AND user_id > $2 ORDER BY user_id LIMIT $3`,
		q.SiteID, after, limit)
	if err != nil {
		return nil, err
	}
	d, err := ids(`SELECT user_id FROM site_departures WHERE site_id = $1 AND user_id > $2 AND left_at >= $3
		ORDER BY user_id LIMIT $4`, q.SiteID, after, ts(q.Since), limit)
	if err != nil {
		return nil, err
	}
	merged := append(a, d...)
	slices.Sort(merged)
	return merged[:min(limit, len(merged))], nil
}

// membersAt returns limit member ids from position offset, walking the
// two tables' indexes merged in order.
func (tx *Tx) membersAt(ctx context.Context, q SiteMemberQuery, limit, offset int) ([]string, error) {
	union := `SELECT user_id FROM site_assignments WHERE site_id = $1
		UNION ALL
		SELECT user_id FROM site_departures WHERE site_id = $1 AND left_at >= $2`
	query := union + ` ORDER BY 1 LIMIT $3 OFFSET $4`
	if tx.dialect == Postgres {
		query = `SELECT user_id FROM (` + union + `) m ORDER BY user_id LIMIT $3 OFFSET $4`
	}
	rows, err := tx.q.QueryContext(ctx, query, q.SiteID, ts(q.Since), limit, offset)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (string, error) {
		var id string
		return id, translate(s.Scan(&id))
	})
}

// pageMarks remembers, for the pages of long lists that were read, the
// last id before the next page, for the list as it then was. It is
// bounded, and a hint only: a miss costs a walk from the start.
type pageMarks struct {
	mu sync.Mutex
	m  map[string]string
}

const maxPageMarks = 4096

func newPageMarks() *pageMarks { return &pageMarks{m: map[string]string{}} }

func (p *pageMarks) get(k string) (string, bool) {
	if p == nil {
		return "", false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[k]
	return v, ok
}

func (p *pageMarks) put(k, v string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) >= maxPageMarks {
		clear(p.m)
	}
	p.m[k] = v
}

// memberCompanies fills in the companies of the members still assigned,
// in one query.
func (tx *Tx) memberCompanies(ctx context.Context, siteID string, members []*domain.SiteMember) error {
	byID := map[string]*domain.SiteMember{}
	args := []any{siteID}
	var ph []string
	for _, m := range members {
		if m.LeftAt.IsZero() {
			byID[m.User.ID] = m
			args = append(args, m.User.ID)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
	}
	if len(ph) == 0 {
		return nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT user_id, company_id FROM company_assignments
		WHERE site_id = $1 AND user_id IN (`+strings.Join(ph, ", ")+`) ORDER BY user_id, company_id`, args...)
	if err != nil {
		return translate(err)
	}
	_, err = collect(rows, func(s scanner) (struct{}, error) {
		var uid, cid string
		if err := s.Scan(&uid, &cid); err != nil {
			return struct{}{}, translate(err)
		}
		byID[uid].Companies = append(byID[uid].Companies, cid)
		return struct{}{}, nil
	})
	return err
}

// SiteMember returns one row of the site's user list, or ErrNotFound.
func (tx *Tx) SiteMember(ctx context.Context, q SiteMemberQuery, userID string) (*domain.SiteMember, error) {
	q.Filter, q.StartIndex, q.Count = idFilter(userID), 1, 1
	ms, _, err := tx.SiteMembers(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, ErrNotFound
	}
	return ms[0], nil
}

// idFilter is the SCIM filter id eq "id".
func idFilter(id string) filter.Expression {
	return &filter.AttributeExpression{AttributePath: filter.AttributePath{AttributeName: "id"}, Operator: filter.EQ, CompareValue: id}
}

// SetSiteLink records the application's own account for a user of the
// site; an empty externalID removes the link.
func (tx *Tx) SetSiteLink(ctx context.Context, siteID, userID, externalID string, now time.Time) error {
	if externalID == "" {
		_, err := tx.exec(ctx, `DELETE FROM site_links WHERE site_id = $1 AND user_id = $2`, siteID, userID)
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO site_links (site_id, user_id, external_id, linked_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (site_id, user_id) DO UPDATE SET external_id = excluded.external_id, linked_at = excluded.linked_at`,
		siteID, userID, externalID, ts(now))
	return err
}
