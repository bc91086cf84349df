package app

import (
	"context"
	"slices"
	"strings"

	"github.com/provisio/provisio/internal/domain"
)

// Groups of the organisation's identity provider (R-APP-4). A group whose
// name the organisation's administrators mapped to a role gives its
// members that role; other groups are kept and have no effect.

// SCIMCreateGroup creates a group with its members, who must be users the
// provider provisioned. Codes: invalid, rule.
func (a *App) SCIMCreateGroup(ctx context.Context, c SCIMClient, g domain.SCIMGroup) (*domain.SCIMGroup, error) {
	if err := checkGroup(&g); err != nil {
		return nil, err
	}
	err := a.scimWrite(ctx, c, func(u *unit) error {
		g.ID, g.OrgID, g.Version, g.CreatedAt, g.UpdatedAt = domain.NewID("grp", u.now), c.org.ID, 1, u.now, u.now
		return u.putGroup(ctx, c, nil, &g)
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// SCIMGroup returns a group of the organisation. Codes: not_found.
func (a *App) SCIMGroup(ctx context.Context, c SCIMClient, id string) (g *domain.SCIMGroup, err error) {
	err = a.readEnrolling(ctx, c.act, func(u *unit) error {
		g, err = u.scimGroup(ctx, c, id)
		return err
	})
	if err == nil {
		err = a.recordRead(ctx, c, "scim_group", id, map[string]any{"resource": "Group"})
	}
	return g, err
}

func (u *unit) scimGroup(ctx context.Context, c SCIMClient, id string) (*domain.SCIMGroup, error) {
	if c.IsSite() {
		return nil, domain.NotFound("group")
	}
	g, err := u.tx.SCIMGroup(ctx, c.org.ID, id)
	return g, storeErr(err, "group", id)
}

// SCIMGroups lists the organisation's groups matching q, with the number
// of all matches. A site's application sees none. Codes: invalid.
func (a *App) SCIMGroups(ctx context.Context, c SCIMClient, q domain.SCIMQuery) (out []*domain.SCIMGroup, total int, err error) {
	if c.IsSite() {
		return nil, 0, nil
	}
	err = a.readEnrolling(ctx, c.act, func(u *unit) error {
		out, total, err = u.tx.SCIMGroups(ctx, c.org.ID, q)
		return err
	})
	if err == nil {
		err = a.recordRead(ctx, c, "org", c.org.ID, listDetail("Groups", q, total))
	}
	return out, total, err
}

// SCIMReplaceGroup replaces a group's name and members (PUT, and PATCH
// once applied); version, when not zero, must be the current one.
// Members who gain or lose a mapped role get or lose it at once.
// Codes: not_found, invalid, rule, precondition.
func (a *App) SCIMReplaceGroup(ctx context.Context, c SCIMClient, id string, version int64, g domain.SCIMGroup) (*domain.SCIMGroup, error) {
	if err := checkGroup(&g); err != nil {
		return nil, err
	}
	err := a.scimWrite(ctx, c, func(u *unit) error {
		cur, err := u.scimGroup(ctx, c, id)
		if err != nil {
			return err
		}
		if err := checkVersion(version, cur.Version); err != nil {
			return err
		}
		g.ID, g.OrgID, g.Version, g.CreatedAt, g.UpdatedAt = cur.ID, cur.OrgID, cur.Version+1, cur.CreatedAt, u.now
		return u.putGroup(ctx, c, cur, &g)
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// SCIMDeleteGroup deletes a group; its members lose the role it gave.
// Codes: not_found, rule, precondition.
func (a *App) SCIMDeleteGroup(ctx context.Context, c SCIMClient, id string, version int64) error {
	return a.scimWrite(ctx, c, func(u *unit) error {
		cur, err := u.scimGroup(ctx, c, id)
		if err != nil {
			return err
		}
		if err := checkVersion(version, cur.Version); err != nil {
			return err
		}
		if err := u.tx.DeleteSCIMGroup(ctx, cur.ID); err != nil {
			return err
		}
		if err := u.record(ctx, "scim_group.delete", "scim_group", cur.ID, cur.OrgID, groupAudit(cur), nil); err != nil {
			return err
		}
		return u.applyGroupRoles(ctx, c.org, memberIDs(cur))
	})
}

// putGroup stores g (replacing before, if any) and applies the roles of
// the members it gained or lost.
func (u *unit) putGroup(ctx context.Context, c SCIMClient, before, g *domain.SCIMGroup) error {
	for i, m := range g.Members {
		su, err := u.tx.SCIMUser(ctx, c.org.ID, m.UserID)
		if err != nil {
			return &domain.Error{Code: domain.EInvalid, Field: "members",
				Message: "member " + m.UserID + " is not a user provisioned in this organisation"}
		}
		if m.Display == "" {
			g.Members[i].Display = su.DisplayName
		}
	}
	if err := u.tx.PutSCIMGroup(ctx, g); err != nil {
		return err
	}
	action, touched := "scim_group.create", memberIDs(g)
	var was any
	if before != nil {
		action, was = "scim_group.update", groupAudit(before)
		touched = append(touched, memberIDs(before)...)
	}
	if err := u.record(ctx, action, "scim_group", g.ID, g.OrgID, was, groupAudit(g)); err != nil {
		return err
	}
	return u.applyGroupRoles(ctx, c.org, touched)
}

// applyGroupRoles gives each of the users the roles their groups are
// mapped to, or the base role when none is; organisations without a
// mapping keep the roles set in the portal. The last administrator keeps
// its role (R-ROLE-5).
func (u *unit) applyGroupRoles(ctx context.Context, o *domain.Org, userIDs []string) error {
	mapping, err := u.tx.GroupRoles(ctx, o.ID)
	if err != nil || len(mapping) == 0 {
		return err
	}
	slices.Sort(userIDs)
	for _, id := range slices.Compact(userIDs) {
		usr, err := u.tx.User(ctx, domain.Everything, id)
		if err != nil {
			return storeErr(err, "user", id)
		}
		if usr.State == domain.UserDeleted || usr.OrgID != o.ID {
			continue
		}
		roles, err := u.tx.UserGroupRoles(ctx, id)
		if err != nil {
			return err
		}
		if len(roles) == 0 {
			roles = []domain.Role{baseRole(o.Kind)}
		}
		if slices.Equal(roles, sortedRoles(usr.Roles)) {
			continue
		}
		if admin := domain.AdminRole(usr.Type); usr.HasRole(admin) && !slices.Contains(roles, admin) {
			if err := u.keepsAnAdmin(ctx, usr, "demoted"); err != nil {
				return err
			}
		}
		before := *usr
		usr.Roles, usr.UpdatedAt = roles, u.now
		if err := u.tx.UpdateUser(ctx, usr); err != nil {
			return err
		}
		if err := u.record(ctx, "user.update", "user", usr.ID, usr.OrgID, before, usr); err != nil {
			return err
		}
	}
	return nil
}

func sortedRoles(rs []domain.Role) []domain.Role {
	out := slices.Clone(rs)
	slices.Sort(out)
	return out
}

// GroupRoles returns the organisation's group-to-role mapping (R-APP-4).
// Codes: not_found, forbidden.
func (a *App) GroupRoles(ctx context.Context, act Actor, orgID string) (out []domain.GroupRole, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if _, err := u.scimTokenOwner(ctx, orgID, ""); err != nil {
			return err
		}
		out, err = u.tx.GroupRoles(ctx, orgID)
		return err
	})
	return out, err
}

// SetGroupRoles replaces the organisation's group-to-role mapping and
// gives every provisioned user the roles its groups now map to (R-APP-4).
// An empty mapping leaves roles to the portal. Codes: not_found,
// forbidden, invalid, rule.
func (a *App) SetGroupRoles(ctx context.Context, act Actor, orgID string, m []domain.GroupRole) ([]domain.GroupRole, error) {
	err := a.write(ctx, act, func(u *unit) error {
		if _, err := u.scimTokenOwner(ctx, orgID, ""); err != nil {
			return err
		}
		o, err := u.loadOrg(ctx, orgID)
		if err != nil {
			return err
		}
		typ := domain.TypeForOrg(o.Kind)
		seen := map[string]bool{}
		for i, g := range m {
			m[i].Group = strings.TrimSpace(g.Group)
			if m[i].Group == "" {
				return &domain.Error{Code: domain.EInvalid, Field: "group", Message: "every mapping names a group"}
			}
			if seen[strings.ToLower(m[i].Group)] {
				return &domain.Error{Code: domain.EInvalid, Field: "group", Message: "group " + m[i].Group + " is mapped twice"}
			}
			seen[strings.ToLower(m[i].Group)] = true
			if _, err := domain.ValidateRoles(typ, []domain.Role{g.Role}); err != nil {
				return err
			}
		}
		before, err := u.tx.GroupRoles(ctx, orgID)
		if err != nil {
			return err
		}
		if err := u.tx.SetGroupRoles(ctx, orgID, m); err != nil {
			return err
		}
		if err := u.record(ctx, "scim_group_roles.set", "org", orgID, orgID, before, m); err != nil {
			return err
		}
		ids, err := u.tx.ProvisionedUsers(ctx, orgID)
		if err != nil {
			return err
		}
		return u.applyGroupRoles(ctx, o, ids)
	})
	if err != nil {
		return nil, err
	}
	return a.GroupRoles(ctx, act, orgID)
}

func checkGroup(g *domain.SCIMGroup) error {
	g.DisplayName = strings.TrimSpace(g.DisplayName)
	if g.DisplayName == "" {
		return &domain.Error{Code: domain.EInvalid, Field: "displayName", Message: "displayName is required"}
	}
	seen := map[string]bool{}
	var members []domain.SCIMMember
	for _, m := range g.Members {
		if m.UserID == "" {
			return &domain.Error{Code: domain.EInvalid, Field: "members", Message: "every member needs a value: the user's id"}
		}
		if !seen[m.UserID] {
			seen[m.UserID] = true
			members = append(members, m)
		}
	}
	g.Members = members
	return nil
}

func memberIDs(g *domain.SCIMGroup) []string {
	out := make([]string, len(g.Members))
	for i, m := range g.Members {
		out[i] = m.UserID
	}
	return out
}

func groupAudit(g *domain.SCIMGroup) map[string]any {
	return map[string]any{"displayName": g.DisplayName, "externalId": g.ExternalID, "members": memberIDs(g)}
}
