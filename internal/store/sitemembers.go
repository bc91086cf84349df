package store

import (
	"context"
	"fmt"
	"time"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/provisio/provisio/internal/domain"
)

// depart records that the user left the site at now (R-APP-1).
func (tx *Tx) depart(ctx context.Context, siteID, userID string, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO site_departures (site_id, user_id, left_at) VALUES ($1, $2, $3)
		ON CONFLICT (site_id, user_id) DO UPDATE SET left_at = excluded.left_at`, siteID, userID, ts(now))
	return err
}

// SiteMemberQuery selects the rows of a site's user list (R-APP-1).
type SiteMemberQuery struct {
	SiteID string
	Ready  bool      // the site is ready: only then can anyone use it
	Now    time.Time // grants that ended by now are inactive
	Since  time.Time // users who left before this are no longer listed
	SCIMQuery
}

// memberActiveSQL is the access decision over a member row, in SQL: still
// assigned, the user active, and the grant current (m.expired is
// computed against $3; the site's readiness is decided by the caller).
const memberActiveSQL = `(m.left_at IS NULL AND u.state = 'active' AND NOT m.expired)`

const memberUserCols = `u.id, COALESCE(u.org_id, ''), u.type, u.email, u.name, u.roles, u.state, u.generic,
	u.invite_expires_at, u.created_at, u.updated_at`

// SiteMembers lists the site's users for its application: those assigned
// now, and those who left after q.Since, with the application's link to
// each. Ordered by user id; the count is of all matches.
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
	f := &filterSQL{attrs: attrs, args: []any{q.SiteID, ts(q.Since), ts(q.Now)}}
	var where []string
	if q.Filter != nil {
		c, err := f.where(q.Filter)
		if err != nil {
			return nil, 0, err
		}
		where = append(where, c)
	}
	from := ` FROM (
			SELECT a.user_id, a.role, a.via, a.expires_at, NULL AS left_at, ` + grantExpiredSQL("a.expires_at", 3) + ` AS expired
				FROM site_assignments a WHERE a.site_id = $1
			UNION ALL
			SELECT d.user_id, '', '', NULL, d.left_at, FALSE FROM site_departures d WHERE d.site_id = $1 AND d.left_at >= $2
		) m JOIN users u ON u.id = m.user_id
		LEFT JOIN site_links l ON l.site_id = $1 AND l.user_id = m.user_id` + whereSQL(where)
	var total int
	if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*)`+from, f.args...).Scan(&total); err != nil {
		return nil, 0, translate(err)
	}
	limit, offset := page(q.SCIMQuery)
	if limit == 0 {
		return nil, total, nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT m.role, m.via, m.expires_at, m.left_at, COALESCE(l.external_id, ''),
			`+active+`, `+memberUserCols+from+
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
			nullTime{&u.InviteExpiresAt}, nullTime{&u.CreatedAt}, nullTime{&u.UpdatedAt})
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
	for _, m := range members {
		if m.LeftAt.IsZero() {
			if m.Companies, err = tx.userCompanies(ctx, q.SiteID, m.User.ID); err != nil {
				return nil, 0, err
			}
		}
	}
	return members, total, nil
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
