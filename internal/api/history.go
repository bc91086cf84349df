package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
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

// AccessSpanRow is a stretch of time during which a user could reach a site.
type AccessSpanRow struct {
	SiteID    string     `json:"site_id"`
	SiteName  string     `json:"site_name"`
	Role      string     `json:"role"`
	Via       string     `json:"via"`
	From      time.Time  `json:"from"`
	To        *time.Time `json:"to,omitempty" doc:"empty: still reachable at the end of the range"`
	GrantedBy string     `json:"granted_by" doc:"who assigned or approved, by name"`
}

type userHistoryIn struct {
	ID     string    `path:"id"`
	From   time.Time `query:"from" required:"true" doc:"start of the range, RFC 3339"`
	To     time.Time `query:"to" required:"true" doc:"end of the range, RFC 3339"`
	Format string    `query:"format" enum:"json,csv" default:"json" doc:"csv: a file for an auditor"`
}

type spanList struct {
	From  time.Time       `json:"from"`
	To    time.Time       `json:"to"`
	Items []AccessSpanRow `json:"items"`
}

type userHistoryOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) userAccessHistory(ctx context.Context, act app.Actor, in *userHistoryIn) (*userHistoryOut, error) {
	spans, err := s.app.UserAccessBetween(ctx, act, in.ID, in.From, in.To)
	if err != nil {
		return nil, err
	}
	out := spanList{From: in.From, To: in.To, Items: []AccessSpanRow{}}
	for _, x := range spans {
		out.Items = append(out.Items, AccessSpanRow{SiteID: x.SiteID, SiteName: x.SiteName, Role: string(x.Role), Via: string(x.Via),
			From: x.From, To: timePtr(x.To), GrantedBy: x.GrantedBy})
	}
	if in.Format == "csv" {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"site", "role", "via", "from", "to", "granted_by"})
		for _, x := range out.Items {
			to := ""
			if x.To != nil {
				to = x.To.UTC().Format(time.RFC3339)
			}
			_ = w.Write(csvRow(x.SiteName, x.Role, x.Via, x.From.UTC().Format(time.RFC3339), to, x.GrantedBy))
		}
		w.Flush()
		return &userHistoryOut{ContentType: "text/csv; charset=utf-8",
			ContentDisposition: `attachment; filename="access-history.csv"`, Body: b.Bytes()}, nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return &userHistoryOut{ContentType: "application/json", Body: b}, nil
}
