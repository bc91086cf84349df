package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// The compliance report (R-AUDIT-2).

// Finding is one thing the report says breaks a rule.
type Finding struct {
	Kind      string     `json:"kind" example:"single_administrator"`
	Rule      string     `json:"rule" example:"R-ROLE-5"`
	OrgID     string     `json:"org_id"`
	OrgName   string     `json:"org_name"`
	UserID    string     `json:"user_id,omitempty"`
	UserName  string     `json:"user_name,omitempty"`
	UserEmail string     `json:"user_email,omitempty"`
	SiteID    string     `json:"site_id,omitempty"`
	SiteName  string     `json:"site_name,omitempty"`
	Since     *time.Time `json:"since,omitempty"`
	Detail    string     `json:"detail"`
	Fix       string     `json:"fix"`
	FixLink   string     `json:"fix_link" doc:"the portal page where it is fixed"`
}

// Compliance is the report.
type Compliance struct {
	At       time.Time      `json:"at"`
	ByKind   map[string]int `json:"by_kind"`
	ByOrg    map[string]int `json:"by_org" doc:"findings per organisation name"`
	Findings []Finding      `json:"findings"`
}

func complianceOut(r app.ComplianceReport) Compliance {
	out := Compliance{At: r.At, ByKind: map[string]int{}, ByOrg: r.ByOrg, Findings: []Finding{}}
	for k, n := range r.ByKind {
		out.ByKind[string(k)] = n
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, findingOut(f))
	}
	return out
}

func findingOut(f domain.Finding) Finding {
	return Finding{Kind: string(f.Kind), Rule: f.Rule, OrgID: f.OrgID, OrgName: f.OrgName, UserID: f.UserID, UserName: f.UserName,
		UserEmail: f.UserEmail, SiteID: f.SiteID, SiteName: f.SiteName, Since: timePtr(f.Since), Detail: f.Detail, Fix: f.Fix,
		FixLink: f.FixLink}
}

type complianceIn struct {
	OrgID string `query:"org_id" doc:"one organisation (a partner: with its customers); empty: everything you may audit"`
}

func (s *Server) compliance(ctx context.Context, act app.Actor, in *complianceIn) (*body[Compliance], error) {
	r, err := s.app.Compliance(ctx, act, in.OrgID)
	if err != nil {
		return nil, err
	}
	return reply(complianceOut(r)), nil
}

type complianceCSV struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) complianceCSV(ctx context.Context, act app.Actor, in *complianceIn) (*complianceCSV, error) {
	r, err := s.app.Compliance(ctx, act, in.OrgID)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"kind", "rule", "organisation", "user", "email", "site", "since", "detail", "fix", "fix_link"})
	for _, f := range r.Findings {
		since := ""
		if !f.Since.IsZero() {
			since = f.Since.UTC().Format(time.RFC3339)
		}
		_ = w.Write([]string{string(f.Kind), f.Rule, f.OrgName, f.UserName, f.UserEmail, f.SiteName, since, f.Detail, f.Fix, f.FixLink})
	}
	w.Flush()
	return &complianceCSV{ContentType: "text/csv; charset=utf-8",
		ContentDisposition: `attachment; filename="compliance-` + r.At.Format("2006-01-02") + `.csv"`, Body: b.Bytes()}, nil
}

// csvDoc documents a CSV answer.
func csvDoc(o huma.Operation, what string) huma.Operation {
	o.Responses = map[string]*huma.Response{"200": {Description: what + ", as CSV with a header row",
		Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}}}}}
	return o
}
