package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
)

// AccessAtRow is one person's access to a site at a moment.
type AccessAtRow struct {
	UserID    string     `json:"user_id"`
	UserName  string     `json:"user_name"`
	UserEmail string     `json:"user_email"`
	Role      string     `json:"role"`
	Via       string     `json:"via"`
	Since     time.Time  `json:"since"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	GrantedBy string     `json:"granted_by" doc:"who assigned or approved, by name"`
	Reachable bool       `json:"reachable" doc:"the access decision at that moment"`
	Why       string     `json:"why,omitempty" doc:"why not, when not reachable"`
}

type accessAtIn struct {
	ID string    `path:"id"`
	At time.Time `query:"at" required:"true" doc:"the moment, RFC 3339, e.g. 2026-11-30T14:00:00Z"`
}

type accessAtList struct {
	At    time.Time     `json:"at"`
	Items []AccessAtRow `json:"items"`
}

func (s *Server) siteAccessAt(ctx context.Context, act app.Actor, in *accessAtIn) (*body[accessAtList], error) {
	rows, err := s.app.SiteAccessAt(ctx, act, in.ID, in.At)
	if err != nil {
		return nil, err
	}
	out := accessAtList{At: in.At, Items: []AccessAtRow{}}
	for _, r := range rows {
		out.Items = append(out.Items, AccessAtRow{UserID: r.UserID, UserName: r.UserName, UserEmail: r.UserEmail, Role: string(r.Role),
			Via: string(r.Via), Since: r.Since, ExpiresAt: timePtr(r.ExpiresAt), GrantedBy: r.GrantedBy, Reachable: r.Reachable, Why: r.Why})
	}
	return reply(out), nil
}
