package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// SCIMQuery narrows and pages a SCIM list.
type SCIMQuery = domain.SCIMQuery

func page(q SCIMQuery) (limit, offset int) {
	offset = q.StartIndex - 1
	if offset < 0 {
		offset = 0
	}
	return q.Count, offset
}

// --- tokens

const scimTokenCols = `id, org_id, COALESCE(site_id, ''), name, created_by, created_at, last_used_at, revoked_at`

func scanSCIMToken(s scanner) (*domain.SCIMToken, error) {
	var t domain.SCIMToken
	err := s.Scan(&t.ID, &t.OrgID, &t.SiteID, &t.Name, &t.CreatedBy, nullTime{&t.CreatedAt}, nullTime{&t.LastUsedAt}, nullTime{&t.RevokedAt})
	if err != nil {
		return nil, translate(err)
	}
	return &t, nil
}

// CreateSCIMToken stores t with the hash of its secret.
func (tx *Tx) CreateSCIMToken(ctx context.Context, t *domain.SCIMToken, hash string) error {
	_, err := tx.exec(ctx, `INSERT INTO scim_tokens (id, org_id, site_id, name, token_hash, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, t.OrgID, nullable(t.SiteID), t.Name, hash, t.CreatedBy, ts(t.CreatedAt))
	return err
}

// SCIMTokenByHash returns the live token with the secret's hash, or
// ErrNotFound.
func (tx *Tx) SCIMTokenByHash(ctx context.Context, hash string) (*domain.SCIMToken, error) {
	return scanSCIMToken(tx.q.QueryRowContext(ctx, `SELECT `+scimTokenCols+` FROM scim_tokens
		WHERE token_hash = $1 AND revoked_at IS NULL`, hash))
}

// SCIMTokenAnyOrg returns a token of the organisation orgID, or of any
// organisation when orgID is "", or ErrNotFound.
func (tx *Tx) SCIMTokenAnyOrg(ctx context.Context, id, orgID string) (*domain.SCIMToken, error) {
	return scanSCIMToken(tx.q.QueryRowContext(ctx, `SELECT `+scimTokenCols+` FROM scim_tokens
		WHERE id = $1 AND ($2 = '' OR org_id = $2)`, id, orgID))
}

// SCIMTokens lists an organisation's tokens (siteID ""), or a site's.
func (tx *Tx) SCIMTokens(ctx context.Context, orgID, siteID string) ([]*domain.SCIMToken, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+scimTokenCols+` FROM scim_tokens
		WHERE org_id = $1 AND COALESCE(site_id, '') = $2 ORDER BY id`, orgID, siteID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, scanSCIMToken)
}

// RotateSCIMToken gives a live token a new secret.
func (tx *Tx) RotateSCIMToken(ctx context.Context, id, hash string) error {
	return tx.execOne(ctx, `UPDATE scim_tokens SET token_hash = $2 WHERE id = $1 AND revoked_at IS NULL`, id, hash)
}

// RevokeSCIMToken ends a live token.
func (tx *Tx) RevokeSCIMToken(ctx context.Context, id string, now time.Time) error {
	return tx.execOne(ctx, `UPDATE scim_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, ts(now))
}

// TouchSCIMToken records that the token was used at now.
func (tx *Tx) TouchSCIMToken(ctx context.Context, id string, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE scim_tokens SET last_used_at = $2 WHERE id = $1`, id, ts(now))
	return err
}

// SiteLastRead is when a token of the site last read its user list.
func (tx *Tx) SiteLastRead(ctx context.Context, siteID string) (time.Time, error) {
	var t time.Time
	err := tx.q.QueryRowContext(ctx, `SELECT MAX(last_used_at) FROM scim_tokens WHERE site_id = $1`, siteID).Scan(nullTime{&t})
	return t, translate(err)
}

// --- provisioned users

const scimUserCols = `s.user_id, s.org_id, s.user_name, s.external_id, s.display_name, s.given_name, s.family_name,
	s.formatted, s.active, s.doc, s.version, s.created_at, s.updated_at`

func scanSCIMUser(s scanner) (*domain.SCIMUser, error) {
	var u domain.SCIMUser
	var doc string
	err := s.Scan(&u.UserID, &u.OrgID, &u.UserName, &u.ExternalID, &u.DisplayName, &u.GivenName, &u.FamilyName,
		&u.Formatted, &u.Active, &doc, &u.Version, nullTime{&u.CreatedAt}, nullTime{&u.UpdatedAt})
	if err != nil {
		return nil, translate(err)
	}
	u.Doc = json.RawMessage(doc)
	return &u, nil
}

// PutSCIMUser inserts or replaces the identity provider's record of a
// user, with its emails. A userName already used in the organisation
// gives ErrUnique.
func (tx *Tx) PutSCIMUser(ctx context.Context, u *domain.SCIMUser) error {
	doc := string(u.Doc)
	if doc == "" {
		doc = "{}"
	}
	_, err := tx.exec(ctx, `INSERT INTO scim_users (user_id, org_id, user_name, user_name_key, external_id, display_name,
			given_name, family_name, formatted, active, doc, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (user_id) DO UPDATE SET user_name = excluded.user_name, user_name_key = excluded.user_name_key,
			external_id = excluded.external_id, display_name = excluded.display_name, given_name = excluded.given_name,
			family_name = excluded.family_name, formatted = excluded.formatted, active = excluded.active,
			doc = excluded.doc, version = excluded.version, updated_at = excluded.updated_at`,
		u.UserID, u.OrgID, u.UserName, strings.ToLower(u.UserName), u.ExternalID, u.DisplayName, u.GivenName,
		u.FamilyName, u.Formatted, u.Active, doc, u.Version, ts(u.CreatedAt), ts(u.UpdatedAt))
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM scim_user_emails WHERE user_id = $1`, u.UserID); err != nil {
		return err
	}
	for i, e := range u.Emails {
		if _, err := tx.exec(ctx, `INSERT INTO scim_user_emails (user_id, pos, value, value_key, type, is_primary)
			VALUES ($1, $2, $3, $4, $5, $6)`, u.UserID, i, e.Value, strings.ToLower(e.Value), e.Type, e.Primary); err != nil {
			return err
		}
	}
	return nil
}

// SCIMUser returns the organisation's provisioned user, or ErrNotFound.
// Users deleted in the portal are gone from SCIM too.
func (tx *Tx) SCIMUser(ctx context.Context, orgID, userID string) (*domain.SCIMUser, error) {
	u, err := scanSCIMUser(tx.q.QueryRowContext(ctx, `SELECT `+scimUserCols+` FROM scim_users s
		JOIN users u ON u.id = s.user_id WHERE s.user_id = $1 AND s.org_id = $2 AND u.state <> 'deleted'`, userID, orgID))
	if err != nil {
		return nil, err
	}
	return u, tx.fillSCIMUsers(ctx, []*domain.SCIMUser{u})
}

// IsProvisioned reports whether the user is managed by its organisation's
// identity provider.
func (tx *Tx) IsProvisioned(ctx context.Context, userID string) (bool, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM scim_users WHERE user_id = $1`, userID).Scan(&n)
	return n > 0, translate(err)
}

// SCIMUsers lists the organisation's provisioned users matching q, in
// the order they were provisioned, with the number of all matches.
func (tx *Tx) SCIMUsers(ctx context.Context, orgID string, q SCIMQuery) ([]*domain.SCIMUser, int, error) {
	users, total, err := scimList(ctx, tx, q, scimUserAttrs, orgID, scimUserCols,
		` FROM scim_users s JOIN users u ON u.id = s.user_id`, []string{"s.org_id = $1", "u.state <> 'deleted'"},
		"s.created_at, s.user_id", scanSCIMUser)
	if err != nil {
		return nil, 0, err
	}
	return users, total, tx.fillSCIMUsers(ctx, users)
}

// scimList counts and pages the rows of from matching where (over $1 =
// owner) and q's filter over attrs.
func scimList[T any](ctx context.Context, tx *Tx, q SCIMQuery, attrs map[string]attrSQL, owner, cols, from string,
	where []string, order string, scan func(scanner) (T, error)) ([]T, int, error) {
	f := &filterSQL{attrs: attrs, args: []any{owner}, sqlite: tx.dialect == SQLite}
	if q.Filter != nil {
		c, err := f.where(q.Filter)
		if err != nil {
			return nil, 0, err
		}
		where = append(where, c)
	}
	from += whereSQL(where)
	var total int
	if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*)`+from, f.args...).Scan(&total); err != nil {
		return nil, 0, translate(err)
	}
	limit, offset := page(q)
	if limit == 0 {
		return nil, total, nil
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+cols+from+
		fmt.Sprintf(" ORDER BY %s LIMIT %d OFFSET %d", order, limit, offset), f.args...)
	if err != nil {
		return nil, 0, translate(err)
	}
	items, err := collect(rows, scan)
	return items, total, err
}

// fillSCIMUsers reads the emails and groups of users, one query each.
func (tx *Tx) fillSCIMUsers(ctx context.Context, users []*domain.SCIMUser) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[string]*domain.SCIMUser, len(users))
	var ph []string
	var args []any
	for _, u := range users {
		byID[u.UserID] = u
		args = append(args, u.UserID)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	in := strings.Join(ph, ", ")
	rows, err := tx.q.QueryContext(ctx, `SELECT user_id, value, type, is_primary FROM scim_user_emails
		WHERE user_id IN (`+in+`) ORDER BY user_id, pos`, args...)
	if err != nil {
		return translate(err)
	}
	_, err = collect(rows, func(s scanner) (struct{}, error) {
		var id string
		var e domain.SCIMEmail
		if err := s.Scan(&id, &e.Value, &e.Type, &e.Primary); err != nil {
			return struct{}{}, translate(err)
		}
		byID[id].Emails = append(byID[id].Emails, e)
		return struct{}{}, nil
	})
	if err != nil {
		return err
	}
	rows, err = tx.q.QueryContext(ctx, `SELECT m.user_id, g.id, g.display_name FROM scim_group_members m
		JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id IN (`+in+`) ORDER BY m.user_id, g.id`, args...)
	if err != nil {
		return translate(err)
	}
	_, err = collect(rows, func(s scanner) (struct{}, error) {
		var id string
		var g domain.SCIMGroupRef
		if err := s.Scan(&id, &g.ID, &g.DisplayName); err != nil {
			return struct{}{}, translate(err)
		}
		byID[id].Groups = append(byID[id].Groups, g)
		return struct{}{}, nil
	})
	return err
}

// DeleteSCIMUser forgets the identity provider's record of the user and
// its group memberships (the groups get a new version); the portal user
// is dealt with separately.
func (tx *Tx) DeleteSCIMUser(ctx context.Context, userID string, now time.Time) error {
	if _, err := tx.exec(ctx, `UPDATE scim_groups SET version = version + 1, updated_at = $2
		WHERE id IN (SELECT group_id FROM scim_group_members WHERE user_id = $1)`, userID, ts(now)); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM scim_group_members WHERE user_id = $1`,
		`DELETE FROM scim_user_emails WHERE user_id = $1`,
		`DELETE FROM scim_users WHERE user_id = $1`,
	} {
		if _, err := tx.exec(ctx, q, userID); err != nil {
			return err
		}
	}
	return nil
}

// --- groups

const scimGroupCols = `g.id, g.org_id, g.display_name, g.external_id, g.version, g.created_at, g.updated_at`

func scanSCIMGroup(s scanner) (*domain.SCIMGroup, error) {
	var g domain.SCIMGroup
	err := s.Scan(&g.ID, &g.OrgID, &g.DisplayName, &g.ExternalID, &g.Version, nullTime{&g.CreatedAt}, nullTime{&g.UpdatedAt})
	if err != nil {
		return nil, translate(err)
	}
	return &g, nil
}

// PutSCIMGroup inserts or replaces a group with its members.
func (tx *Tx) PutSCIMGroup(ctx context.Context, g *domain.SCIMGroup) error {
	_, err := tx.exec(ctx, `INSERT INTO scim_groups (id, org_id, display_name, name_key, external_id, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, name_key = excluded.name_key,
			external_id = excluded.external_id, version = excluded.version, updated_at = excluded.updated_at`,
		g.ID, g.OrgID, g.DisplayName, strings.ToLower(g.DisplayName), g.ExternalID, g.Version, ts(g.CreatedAt), ts(g.UpdatedAt))
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM scim_group_members WHERE group_id = $1`, g.ID); err != nil {
		return err
	}
	for _, m := range g.Members {
		if _, err := tx.exec(ctx, `INSERT INTO scim_group_members (group_id, user_id, display) VALUES ($1, $2, $3)`,
			g.ID, m.UserID, m.Display); err != nil {
			return err
		}
	}
	return nil
}

// SCIMGroup returns the organisation's group with its members, or
// ErrNotFound.
func (tx *Tx) SCIMGroup(ctx context.Context, orgID, id string) (*domain.SCIMGroup, error) {
	g, err := scanSCIMGroup(tx.q.QueryRowContext(ctx, `SELECT `+scimGroupCols+` FROM scim_groups g
		WHERE g.id = $1 AND g.org_id = $2`, id, orgID))
	if err != nil {
		return nil, err
	}
	return g, tx.fillSCIMGroups(ctx, []*domain.SCIMGroup{g})
}

// SCIMGroups lists the organisation's groups matching q, with the number
// of all matches.
func (tx *Tx) SCIMGroups(ctx context.Context, orgID string, q SCIMQuery) ([]*domain.SCIMGroup, int, error) {
	groups, total, err := scimList(ctx, tx, q, scimGroupAttrs, orgID, scimGroupCols, ` FROM scim_groups g`,
		[]string{"g.org_id = $1"}, "g.created_at, g.id", scanSCIMGroup)
	if err != nil {
		return nil, 0, err
	}
	return groups, total, tx.fillSCIMGroups(ctx, groups)
}

func (tx *Tx) fillSCIMGroups(ctx context.Context, groups []*domain.SCIMGroup) error {
	for _, g := range groups {
		rows, err := tx.q.QueryContext(ctx, `SELECT m.user_id, m.display FROM scim_group_members m
			JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 AND u.state <> 'deleted' ORDER BY m.user_id`, g.ID)
		if err != nil {
			return translate(err)
		}
		if g.Members, err = collect(rows, func(s scanner) (domain.SCIMMember, error) {
			var m domain.SCIMMember
			return m, translate(s.Scan(&m.UserID, &m.Display))
		}); err != nil {
			return err
		}
	}
	return nil
}

// DeleteSCIMGroup removes a group and its memberships.
func (tx *Tx) DeleteSCIMGroup(ctx context.Context, id string) error {
	if _, err := tx.exec(ctx, `DELETE FROM scim_group_members WHERE group_id = $1`, id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM scim_groups WHERE id = $1`, id)
	return err
}

// UserGroupRoles returns the roles that the user's groups are mapped to.
func (tx *Tx) UserGroupRoles(ctx context.Context, userID string) ([]domain.Role, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT DISTINCT r.role FROM scim_group_members m
		JOIN scim_groups g ON g.id = m.group_id
		JOIN scim_group_roles r ON r.org_id = g.org_id AND r.name_key = g.name_key
		WHERE m.user_id = $1 ORDER BY r.role`, userID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (domain.Role, error) {
		var r domain.Role
		return r, translate(s.Scan(&r))
	})
}

// GroupRoles returns the organisation's group-to-role mapping.
func (tx *Tx) GroupRoles(ctx context.Context, orgID string) ([]domain.GroupRole, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT group_name, role FROM scim_group_roles WHERE org_id = $1 ORDER BY name_key`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (domain.GroupRole, error) {
		var g domain.GroupRole
		return g, translate(s.Scan(&g.Group, &g.Role))
	})
}

// SetGroupRoles replaces the organisation's group-to-role mapping.
func (tx *Tx) SetGroupRoles(ctx context.Context, orgID string, m []domain.GroupRole) error {
	if _, err := tx.exec(ctx, `DELETE FROM scim_group_roles WHERE org_id = $1`, orgID); err != nil {
		return err
	}
	for _, g := range m {
		if _, err := tx.exec(ctx, `INSERT INTO scim_group_roles (org_id, name_key, group_name, role) VALUES ($1, $2, $3, $4)`,
			orgID, strings.ToLower(g.Group), g.Group, g.Role); err != nil {
			return err
		}
	}
	return nil
}

// ProvisionedUsers lists the ids of the organisation's users that its
// identity provider manages.
func (tx *Tx) ProvisionedUsers(ctx context.Context, orgID string) ([]string, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT s.user_id FROM scim_users s JOIN users u ON u.id = s.user_id
		WHERE s.org_id = $1 AND u.state <> 'deleted' ORDER BY s.user_id`, orgID)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(s scanner) (string, error) {
		var id string
		return id, translate(s.Scan(&id))
	})
}
