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
	UserID    string     `json:"user_id" doc:"the user" example:"usr_01kkardc5081sagxezqehhg3z2"`
	UserName  string     `json:"user_name" doc:"the user's name" example:"Paul Becker"`
	UserEmail string     `json:"user_email" doc:"the user's email address" example:"paul.becker@northwind-consulting.example"`
	Role      string     `json:"role" doc:"the user's role on the site" example:"partner_agent"`
	Via       string     `json:"via" enum:"member,partner,accountant" doc:"how the user got access" example:"partner"`
	Since     time.Time  `json:"since" doc:"since when the user was assigned" example:"2026-03-02T10:02:00Z"`
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"when a partner grant was to end (R-PARTNER-2)" example:"2026-03-09T10:02:00Z"`
	GrantedBy string     `json:"granted_by" doc:"who assigned or approved, by name" example:"Maria Lopez"`
	Reachable bool       `json:"reachable" doc:"the access decision at that moment" example:"true"`
	Why       string     `json:"why,omitempty" doc:"why not, when not reachable" example:"the site was suspended"`
}

type accessAtIn struct {
	ID string    `path:"id"`
	At time.Time `query:"at" required:"true" doc:"the moment, RFC 3339, e.g. 2026-11-30T14:00:00Z" example:"2026-03-05T14:00:00Z"`
}

type accessAtList struct {
	At    time.Time     `json:"at" doc:"the moment asked about" example:"2026-03-05T14:00:00Z"`
	Items []AccessAtRow `json:"items" doc:"everyone assigned to the site at that moment"`
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
	SiteID    string     `json:"site_id" doc:"the site" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	SiteName  string     `json:"site_name" doc:"the site's name" example:"harbour-dental-prod"`
	Role      string     `json:"role" doc:"the user's role on the site" example:"partner_agent"`
	Via       string     `json:"via" enum:"member,partner,accountant" doc:"how the user got access" example:"partner"`
	From      time.Time  `json:"from" doc:"when the stretch began" example:"2026-03-02T10:02:00Z"`
	To        *time.Time `json:"to,omitempty" doc:"empty: still reachable at the end of the range" example:"2026-03-09T10:02:00Z"`
	GrantedBy string     `json:"granted_by" doc:"who assigned or approved, by name" example:"Maria Lopez"`
}

type userHistoryIn struct {
	ID     string    `path:"id"`
	From   time.Time `query:"from" required:"true" doc:"start of the range, RFC 3339" example:"2026-03-01T00:00:00Z"`
	To     time.Time `query:"to" required:"true" doc:"end of the range, RFC 3339" example:"2026-04-01T00:00:00Z"`
	Format string    `query:"format" enum:"json,csv" default:"json" doc:"csv: a file for an auditor" example:"csv"`
}

type spanList struct {
	From  time.Time       `json:"from" doc:"the start of the range asked about" example:"2026-03-01T00:00:00Z"`
	To    time.Time       `json:"to" doc:"the end of the range asked about" example:"2026-04-01T00:00:00Z"`
	Items []AccessSpanRow `json:"items" doc:"each stretch of access in the range"`
}

var accessHistoryHeader = []string{"site", "role", "via", "from", "to", "granted_by"}

// accessHistoryCSVExample is the CSV answer's example in the OpenAPI
// document.
var accessHistoryCSVExample = csvExample(accessHistoryHeader, "harbour-dental-prod", "partner_agent", "partner",
	"2026-03-02T10:02:00Z", "2026-03-09T10:02:00Z", "Maria Lopez")

type userHistoryOut struct {
	ContentType        string `header:"Content-Type" doc:"application/json, or text/csv with format=csv" example:"text/csv; charset=utf-8"`
	ContentDisposition string `header:"Content-Disposition" doc:"for CSV, the file name to save it as" example:"attachment; filename=\"access-history.csv\""`
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
		_ = w.Write(accessHistoryHeader)
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
