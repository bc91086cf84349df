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
	Kind      string     `json:"kind" doc:"what kind of breach it is" example:"single_administrator"`
	Rule      string     `json:"rule" doc:"the rule it breaks" example:"R-ROLE-5"`
	OrgID     string     `json:"org_id" doc:"the organisation it is in" example:"org_01kjyvahs0jdypew7da395kjeb"`
	OrgName   string     `json:"org_name" doc:"the organisation's name" example:"Harbour Dental"`
	UserID    string     `json:"user_id,omitempty" doc:"the user it is about, if one" example:"usr_01kk2tbfx02cdjh3r9ahyb84pa"`
	UserName  string     `json:"user_name,omitempty" doc:"the user's name" example:"Maria Lopez"`
	UserEmail string     `json:"user_email,omitempty" doc:"the user's email address" example:"maria.lopez@harbour-dental.example"`
	SiteID    string     `json:"site_id,omitempty" doc:"the site it is about, if one" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	SiteName  string     `json:"site_name,omitempty" doc:"the site's name" example:"harbour-dental-prod"`
	Since     *time.Time `json:"since,omitempty" doc:"since when it has been so, where known" example:"2026-03-02T09:15:00Z"`
	Detail    string     `json:"detail" doc:"what is wrong, in plain words" example:"Harbour Dental has a single administrator"`
	Fix       string     `json:"fix" doc:"how to put it right" example:"add a second administrator"`
	FixLink   string     `json:"fix_link" doc:"the portal page where it is fixed" example:"/orgs/org_01kjyvahs0jdypew7da395kjeb"`
}

// Compliance is the report.
type Compliance struct {
	At       time.Time      `json:"at" doc:"when the report was made" example:"2026-03-02T09:15:00Z"`
	ByKind   map[string]int `json:"by_kind" doc:"findings per kind" example:"{\"single_administrator\":1,\"dormant_user\":3}"`
	ByOrg    map[string]int `json:"by_org" doc:"findings per organisation name" example:"{\"Harbour Dental\":4}"`
	Findings []Finding      `json:"findings" doc:"every finding"`
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
	OrgID string `query:"org_id" doc:"one organisation (a partner: with its customers); empty: everything you may audit" example:"org_01kjtw9kn0hy14x8rzq06vtv72"`
}

func (s *Server) compliance(ctx context.Context, act app.Actor, in *complianceIn) (*body[Compliance], error) {
	r, err := s.app.Compliance(ctx, act, in.OrgID)
	if err != nil {
		return nil, err
	}
	return reply(complianceOut(r)), nil
}

type complianceCSV struct {
	ContentType        string `header:"Content-Type" doc:"the file's type" example:"text/csv; charset=utf-8"`
	ContentDisposition string `header:"Content-Disposition" doc:"the file name to save it as" example:"attachment; filename=\"compliance-2026-03-02.csv\""`
	Body               []byte
}

func (s *Server) complianceCSV(ctx context.Context, act app.Actor, in *complianceIn) (*complianceCSV, error) {
	r, err := s.app.Compliance(ctx, act, in.OrgID)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(complianceHeader)
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

var complianceHeader = []string{"kind", "rule", "organisation", "user", "email", "site", "since", "detail", "fix", "fix_link"}

// complianceCSVExample is the CSV export's example in the OpenAPI document.
var complianceCSVExample = csvExample(complianceHeader, "single_administrator", "R-ROLE-5", "Harbour Dental", "", "", "", "",
	"Harbour Dental has a single administrator", "add a second administrator", "/orgs/org_01kjyvahs0jdypew7da395kjeb")

// csvDoc documents a CSV answer, with an example of it.
func csvDoc(o huma.Operation, what, example string) huma.Operation {
	o.Responses = map[string]*huma.Response{"200": {Description: what + ", as CSV with a header row",
		Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}, Example: example}}}}
	return o
}

// csvExample is a CSV document of a header row and one row of data, for
// the OpenAPI document: built from the header the handler writes, so that
// the two cannot drift apart.
func csvExample(header []string, row ...string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(header)
	_ = w.Write(row)
	w.Flush()
	return b.String()
}
