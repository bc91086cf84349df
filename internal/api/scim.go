package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// SCIM tokens, the group-to-role mapping and the site application's link
// view (R-APP-1, R-APP-4). The SCIM service itself is under /scim/v2.

// SCIMToken is a token of an organisation's identity provider or of a
// site's application.
type SCIMToken struct {
	ID         string     `json:"id" doc:"the token's id" example:"sct_01kn2athx0kzvjn9ftng5y5dyt"`
	OrgID      string     `json:"org_id" doc:"the organisation the token is for" example:"org_01kjyvahs0jdypew7da395kjeb"`
	SiteID     string     `json:"site_id,omitempty" doc:"set for a site's application (R-APP-1); empty for the organisation's identity provider (R-APP-4)" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	Name       string     `json:"name" doc:"who uses the token" example:"Entra ID"`
	Secret     string     `json:"token,omitempty" doc:"the token itself: shown once; the SCIM client sends it as Authorization: Bearer" example:"scim_BRlmjmuB92Rc7jmRi81m4HL1u7kTNidLQBhYOfrAMKw"`
	CreatedAt  time.Time  `json:"created_at" doc:"when the token was created" example:"2026-03-02T09:15:00Z"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"when the token was last used; absent: never" example:"2026-03-04T02:00:12Z"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty" doc:"when the token was revoked; absent: it works" example:"2026-03-20T11:30:00Z"`
}

func scimTokenOut(t *domain.SCIMToken, secret string) SCIMToken {
	return SCIMToken{ID: t.ID, OrgID: t.OrgID, SiteID: t.SiteID, Name: t.Name, Secret: secret, CreatedAt: t.CreatedAt,
		LastUsedAt: timePtr(t.LastUsedAt), RevokedAt: timePtr(t.RevokedAt)}
}

type createSCIMTokenIn struct {
	ID   string `path:"id"`
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"200" example:"Entra ID" doc:"who will use the token"`
	}
}

func (s *Server) createOrgSCIMToken(ctx context.Context, act app.Actor, in *createSCIMTokenIn) (*body[SCIMToken], error) {
	secret, t, err := s.app.CreateSCIMToken(ctx, act, app.NewSCIMToken{OrgID: in.ID, Name: in.Body.Name})
	if err != nil {
		return nil, err
	}
	return reply(scimTokenOut(t, secret)), nil
}

func (s *Server) createSiteSCIMToken(ctx context.Context, act app.Actor, in *createSCIMTokenIn) (*body[SCIMToken], error) {
	secret, t, err := s.app.CreateSCIMToken(ctx, act, app.NewSCIMToken{SiteID: in.ID, Name: in.Body.Name})
	if err != nil {
		return nil, err
	}
	return reply(scimTokenOut(t, secret)), nil
}

type scimTokenList struct {
	Items []SCIMToken `json:"items" doc:"the tokens, oldest first"`
}

func (s *Server) listOrgSCIMTokens(ctx context.Context, act app.Actor, in *idIn) (*body[scimTokenList], error) {
	return s.scimTokens(ctx, act, in.ID, "")
}

func (s *Server) listSiteSCIMTokens(ctx context.Context, act app.Actor, in *idIn) (*body[scimTokenList], error) {
	return s.scimTokens(ctx, act, "", in.ID)
}

func (s *Server) scimTokens(ctx context.Context, act app.Actor, orgID, siteID string) (*body[scimTokenList], error) {
	ts, err := s.app.SCIMTokens(ctx, act, orgID, siteID)
	if err != nil {
		return nil, err
	}
	out := scimTokenList{Items: []SCIMToken{}}
	for _, t := range ts {
		out.Items = append(out.Items, scimTokenOut(t, ""))
	}
	return reply(out), nil
}

func (s *Server) rotateSCIMToken(ctx context.Context, act app.Actor, in *idIn) (*body[SCIMToken], error) {
	secret, t, err := s.app.RotateSCIMToken(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(scimTokenOut(t, secret)), nil
}

func (s *Server) revokeSCIMToken(ctx context.Context, act app.Actor, in *idIn) (*body[SCIMToken], error) {
	t, err := s.app.RevokeSCIMToken(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(scimTokenOut(t, "")), nil
}

// GroupRoles is an organisation's mapping from its identity provider's
// groups to roles (R-APP-4).
type GroupRoles struct {
	Mappings []GroupRole `json:"mappings" doc:"each group and the role it gives; the whole mapping is replaced when set"`
}

// GroupRole maps one group to one role.
type GroupRole struct {
	Group string `json:"group" example:"Practice managers" doc:"the group's displayName at the identity provider, in any case"`
	Role  string `json:"role" example:"customer_admin" doc:"the role the group's members get"`
}

func groupRolesOut(m []domain.GroupRole) GroupRoles {
	out := GroupRoles{Mappings: []GroupRole{}}
	for _, g := range m {
		out.Mappings = append(out.Mappings, GroupRole{Group: g.Group, Role: string(g.Role)})
	}
	return out
}

func (s *Server) getGroupRoles(ctx context.Context, act app.Actor, in *idIn) (*body[GroupRoles], error) {
	m, err := s.app.GroupRoles(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(groupRolesOut(m)), nil
}

type setGroupRolesIn struct {
	ID   string `path:"id"`
	Body GroupRoles
}

func (s *Server) setGroupRoles(ctx context.Context, act app.Actor, in *setGroupRolesIn) (*body[GroupRoles], error) {
	m := make([]domain.GroupRole, len(in.Body.Mappings))
	for i, g := range in.Body.Mappings {
		m[i] = domain.GroupRole{Group: g.Group, Role: domain.Role(g.Role)}
	}
	out, err := s.app.SetGroupRoles(ctx, act, in.ID, m)
	if err != nil {
		return nil, err
	}
	return reply(groupRolesOut(out)), nil
}

// AppLinks is the site application's view of the site's users (R-APP-1).
type AppLinks struct {
	LastReadAt *time.Time `json:"last_read_at,omitempty" doc:"when the application last read the list; absent: never" example:"2026-03-04T02:00:12Z"`
	Total      int        `json:"total" doc:"how many users there are in all, over every page" example:"14"`
	Items      []AppLink  `json:"items" doc:"the page of users asked for"`
}

// AppLink is one user as the site's application sees it.
type AppLink struct {
	UserID     string     `json:"user_id" doc:"the user" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Name       string     `json:"name" doc:"the user's name" example:"Tom Reed"`
	Email      string     `json:"email" doc:"the user's email address" example:"tom.reed@harbour-dental.example"`
	Link       string     `json:"link" enum:"new,linked,unlinked," doc:"new: has access, not linked; linked: has access and an account of the application; unlinked: linked, but no longer has access" example:"linked"`
	ExternalID string     `json:"external_id,omitempty" doc:"the application's own account" example:"EMP-0042"`
	Active     bool       `json:"active" doc:"the access decision says yes now" example:"true"`
	Role       string     `json:"role,omitempty" doc:"the user's role on the site" example:"customer_user"`
	Via        string     `json:"via,omitempty" doc:"how the user got access: member, partner or accountant" example:"member"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty" doc:"when a partner grant ends" example:"2026-03-09T10:02:00Z"`
	LeftAt     *time.Time `json:"left_at,omitempty" doc:"when the user lost access to the site, for an unlinked user" example:"2026-03-20T11:30:00Z"`
	LastSignIn *time.Time `json:"last_sign_in_at,omitempty" doc:"the last sign-in to one of the site's applications through Provisio (R-APP-2)" example:"2026-03-04T08:05:00Z"`
}

type appLinksIn struct {
	ID    string `path:"id"`
	Start int    `query:"start" minimum:"0" doc:"1-based index of the first row" example:"51"`
	Count int    `query:"count" minimum:"0" maximum:"200" doc:"rows, 50 by default" example:"50"`
}

func (s *Server) listAppLinks(ctx context.Context, act app.Actor, in *appLinksIn) (*body[AppLinks], error) {
	count := in.Count
	if count == 0 {
		count = 50
	}
	l, err := s.app.SiteLinks(ctx, act, in.ID, max(in.Start, 1), count)
	if err != nil {
		return nil, err
	}
	out := AppLinks{LastReadAt: timePtr(l.LastRead), Total: l.Total, Items: []AppLink{}}
	for _, m := range l.Members {
		out.Items = append(out.Items, AppLink{UserID: m.User.ID, Name: m.User.Name, Email: m.User.Email,
			Link: string(m.Link()), ExternalID: m.ExternalID, Active: m.Active, Role: string(m.Role), Via: string(m.Via),
			ExpiresAt: timePtr(m.ExpiresAt), LeftAt: timePtr(m.LeftAt), LastSignIn: timePtr(l.LastSignIn[m.User.ID])})
	}
	return reply(out), nil
}
