package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// User reviews (R-AUDIT-3, R-PLUS-5).

// Review is one organisation's part of a review campaign.
type Review struct {
	ID           string     `json:"id" doc:"the review's id" example:"rev_01knj6yad0wbg9ny0h2sc8gxf0"`
	CampaignID   string     `json:"campaign_id" doc:"the campaign the review is part of" example:"cmp_01knp5z8h0qb9dtysfg6jnh6s2"`
	CampaignName string     `json:"campaign_name" doc:"the campaign's name" example:"User review, April 2026"`
	OrgID        string     `json:"org_id" doc:"the organisation reviewed" example:"org_01kjyvahs0jdypew7da395kjeb"`
	OrgName      string     `json:"org_name" doc:"the organisation's name" example:"Harbour Dental"`
	State        string     `json:"state" enum:"open,completed,escalated,auto_closed" doc:"open until completed; escalated to operators when overdue (R-AUDIT-3); auto_closed when Provisio removed the unconfirmed access (R-PLUS-5)" example:"open"`
	DueAt        time.Time  `json:"due_at" doc:"when the review is due" example:"2026-05-01T00:00:00Z"`
	Users        int        `json:"users" doc:"the organisation's users" example:"12"`
	Decided      int        `json:"decided" doc:"of them, those confirmed or removed" example:"9"`
	Reminders    int        `json:"reminders" doc:"how many reminders the administrators were sent" example:"1"`
	CompletedAt  *time.Time `json:"completed_at,omitempty" doc:"when the last user was decided" example:"2026-04-14T16:20:00Z"`
	EscalatedAt  *time.Time `json:"escalated_at,omitempty" doc:"when the overdue review was escalated to operators (R-AUDIT-3)" example:"2026-05-01T00:05:00Z"`
}

func reviewOut(r *domain.Review) Review {
	return Review{ID: r.ID, CampaignID: r.CampaignID, CampaignName: r.CampaignName, OrgID: r.OrgID, OrgName: r.OrgName,
		State: r.State, DueAt: r.DueAt, Users: r.Users, Decided: r.Decided, Reminders: r.Reminders,
		CompletedAt: timePtr(r.CompletedAt), EscalatedAt: timePtr(r.EscalatedAt)}
}

type reviewList struct {
	Items []Review `json:"items" doc:"the reviews, newest first"`
}

type listReviewsIn struct {
	State string `query:"state" enum:"open,completed,escalated,auto_closed" doc:"only reviews in this state; escalated: overdue ones" example:"escalated"`
}

func (s *Server) listReviews(ctx context.Context, act app.Actor, in *listReviewsIn) (*body[reviewList], error) {
	rs, err := s.app.Reviews(ctx, act, in.State)
	if err != nil {
		return nil, err
	}
	out := reviewList{Items: []Review{}}
	for _, r := range rs {
		out.Items = append(out.Items, reviewOut(r))
	}
	return reply(out), nil
}

// ReviewedSite is a site a reviewed person can reach.
type ReviewedSite struct {
	SiteID    string     `json:"site_id" doc:"the site" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	SiteName  string     `json:"site_name" doc:"the site's name" example:"harbour-dental-prod"`
	Role      string     `json:"role" doc:"the person's role on the site" example:"customer_user"`
	Via       string     `json:"via" enum:"member,partner,accountant" doc:"how the person got access" example:"member"`
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"when a partner grant ends" example:"2026-04-09T10:02:00Z"`
}

// Decision is what was decided about a user in a review.
type Decision struct {
	Decision  string    `json:"decision" enum:"confirm,lock,unassign,auto_lock,auto_unassign,kept" doc:"confirm, lock or unassign by an administrator; auto_lock, auto_unassign or kept by Provisio at the due date (R-PLUS-5)" example:"confirm"`
	SiteIDs   []string  `json:"site_ids,omitempty" doc:"for unassign: the sites the user was taken off" example:"[\"site_01kkpng6h0d3aqrf08caygs4pm\"]"`
	Comment   string    `json:"comment,omitempty" doc:"the reviewer's note" example:"still handles the front desk"`
	DecidedBy string    `json:"decided_by,omitempty" doc:"who decided, by name; empty: Provisio at the due date (R-PLUS-5)" example:"Maria Lopez"`
	DecidedAt time.Time `json:"decided_at" doc:"when it was decided" example:"2026-04-14T16:20:00Z"`
}

// ReviewedUser is a person in a review.
type ReviewedUser struct {
	UserID       string         `json:"user_id" doc:"the user" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Name         string         `json:"name" doc:"the user's name" example:"Tom Reed"`
	Email        string         `json:"email" doc:"the user's email address" example:"tom.reed@harbour-dental.example"`
	Roles        []string       `json:"roles" doc:"the roles the user holds" example:"[\"customer_user\"]"`
	State        string         `json:"state" enum:"invited,active,locked,deleted" doc:"the user's state" example:"active"`
	LastActiveAt *time.Time     `json:"last_active_at,omitempty" doc:"the last sign-in by any way; empty: never" example:"2026-04-10T08:05:00Z"`
	Sites        []ReviewedSite `json:"sites" doc:"the sites the user can reach"`
	Findings     []Finding      `json:"findings" doc:"what the compliance report says about the user (R-AUDIT-2)"`
	Decision     *Decision      `json:"decision,omitempty" doc:"empty: not decided yet"`
}

// ReviewDetail is a review with every user of the organisation.
type ReviewDetail struct {
	Review Review         `json:"review" doc:"the review"`
	Users  []ReviewedUser `json:"users" doc:"every user of the organisation"`
	Can    struct {
		Decide        bool `json:"decide" doc:"you may decide about the users: an administrator of the organisation, while the review is open" example:"true"`
		RemoveOverdue bool `json:"remove_overdue" doc:"you may remove users of this overdue review: operators (R-AUDIT-3)" example:"false"`
	} `json:"can" doc:"what you may do with the review"`
}

func (s *Server) getReview(ctx context.Context, act app.Actor, in *idIn) (*body[ReviewDetail], error) {
	v, err := s.app.Review(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	out := ReviewDetail{Review: reviewOut(v.Review), Users: []ReviewedUser{}}
	out.Can.Decide, out.Can.RemoveOverdue = v.Can.Decide, v.Can.RemoveOverdue
	for _, u := range v.Users {
		ru := ReviewedUser{UserID: u.ID, Name: u.Name, Email: u.Email, Roles: rolesOut(u.Roles), State: string(u.State),
			LastActiveAt: timePtr(u.LastActiveAt), Sites: []ReviewedSite{}, Findings: []Finding{}}
		for _, x := range u.Sites {
			ru.Sites = append(ru.Sites, ReviewedSite{SiteID: x.SiteID, SiteName: x.SiteName, Role: string(x.Role), Via: string(x.Via),
				ExpiresAt: timePtr(x.ExpiresAt)})
		}
		for _, f := range u.Findings {
			ru.Findings = append(ru.Findings, findingOut(f))
		}
		if d := u.Decision; d != nil {
			ru.Decision = &Decision{Decision: d.Decision, SiteIDs: d.SiteIDs, Comment: d.Comment, DecidedBy: d.DeciderName, DecidedAt: d.DecidedAt}
		}
		out.Users = append(out.Users, ru)
	}
	return reply(out), nil
}

func rolesOut(rs []domain.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

type decideIn struct {
	ID   string `path:"id"`
	Body struct {
		Decisions   []reviewChoice `json:"decisions,omitempty" maxItems:"5000" doc:"a decision per user"`
		ConfirmRest bool           `json:"confirm_rest,omitempty" doc:"confirm every user not decided yet (confirm all unchanged)" example:"false"`
	}
}

// reviewChoice is a reviewer's decision about one user, named so that the
// OpenAPI document calls its schema ReviewChoice.
type reviewChoice struct {
	UserID   string   `json:"user_id" doc:"a user of the reviewed organisation" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Decision string   `json:"decision" enum:"confirm,lock,unassign" doc:"confirm: keep as is; lock: lock the user (R-USER-5); unassign: take the user off sites" example:"confirm"`
	SiteIDs  []string `json:"site_ids,omitempty" doc:"for unassign: which sites; empty: all" example:"[\"site_01kkpng6h0d3aqrf08caygs4pm\"]"`
	Comment  string   `json:"comment,omitempty" maxLength:"1000" doc:"a note for the campaign's evidence" example:"still handles the front desk"`
}

func (s *Server) decideReview(ctx context.Context, act app.Actor, in *decideIn) (*body[Review], error) {
	var cs []app.ReviewChoice
	for _, d := range in.Body.Decisions {
		cs = append(cs, app.ReviewChoice{UserID: d.UserID, Decision: d.Decision, SiteIDs: d.SiteIDs, Comment: d.Comment})
	}
	r, err := s.app.DecideReview(ctx, act, in.ID, cs, in.Body.ConfirmRest)
	if err != nil {
		return nil, err
	}
	return reply(reviewOut(r)), nil
}

// Campaign is a round of user reviews.
type Campaign struct {
	ID          string    `json:"id" doc:"the campaign's id" example:"cmp_01knp5z8h0qb9dtysfg6jnh6s2"`
	Name        string    `json:"name" doc:"the campaign's name" example:"User review, April 2026"`
	ScheduleKey string    `json:"scheduled_for,omitempty" doc:"the scheduled day it opened for; empty: opened by hand" example:"2026-04-01"`
	OpenedAt    time.Time `json:"opened_at" doc:"when the campaign opened" example:"2026-04-01T06:00:00Z"`
	DueAt       time.Time `json:"due_at" doc:"when its reviews are due (R-AUDIT-3)" example:"2026-05-01T06:00:00Z"`
}

func campaignOut(c *domain.Campaign) Campaign {
	return Campaign{ID: c.ID, Name: c.Name, ScheduleKey: c.ScheduleKey, OpenedAt: c.OpenedAt, DueAt: c.DueAt}
}

type campaignList struct {
	Items []Campaign `json:"items" doc:"the campaigns, newest first"`
}

func (s *Server) listCampaigns(ctx context.Context, act app.Actor, _ *struct{}) (*body[campaignList], error) {
	cs, err := s.app.Campaigns(ctx, act)
	if err != nil {
		return nil, err
	}
	out := campaignList{Items: []Campaign{}}
	for _, c := range cs {
		out.Items = append(out.Items, campaignOut(c))
	}
	return reply(out), nil
}

type openCampaignIn struct {
	Body struct {
		Name   string   `json:"name,omitempty" maxLength:"200" doc:"default: User review, <today>" example:"Extra review after the March incident"`
		OrgIDs []string `json:"org_ids,omitempty" maxItems:"10000" doc:"the organisations to review; empty: every partner and customer" example:"[\"org_01kjyvahs0jdypew7da395kjeb\"]"`
	}
}

func (s *Server) openCampaign(ctx context.Context, act app.Actor, in *openCampaignIn) (*body[Campaign], error) {
	c, err := s.app.OpenCampaign(ctx, act, in.Body.Name, in.Body.OrgIDs)
	if err != nil {
		return nil, err
	}
	return reply(campaignOut(c)), nil
}

type exportCampaignIn struct {
	ID     string `path:"id"`
	Format string `query:"format" enum:"csv,json" default:"csv" doc:"csv: a header row and a row a decision; json: the campaign, its reviews and decisions" example:"json"`
}

// campaignEvidence is the JSON export of a campaign.
type campaignEvidence struct {
	Campaign  Campaign         `json:"campaign" doc:"the campaign"`
	Reviews   []Review         `json:"reviews" doc:"each organisation's review"`
	Decisions []evidenceRecord `json:"decisions" doc:"every decision, by review and email"`
}

type evidenceRecord struct {
	Organisation string   `json:"organisation" doc:"the reviewed organisation's name" example:"Harbour Dental"`
	SiteNames    []string `json:"site_names,omitempty" doc:"the names of site_ids" example:"[\"harbour-dental-prod\"]"`
	UserEmail    string   `json:"user_email" doc:"the user's email address" example:"tom.reed@harbour-dental.example"`
	UserName     string   `json:"user_name" doc:"the user's name" example:"Tom Reed"`
	Decision
	UserThen json.RawMessage `json:"user_then" doc:"the user as they were when decided" example:"{\"id\":\"usr_01kk6sce10dyx9g1ercvp1yra5\",\"email\":\"tom.reed@harbour-dental.example\",\"roles\":[\"customer_user\"],\"state\":\"active\"}"`
}

func (s *Server) exportCampaign(ctx context.Context, act app.Actor, in *exportCampaignIn) (*complianceCSV, error) {
	rep, err := s.app.Campaign(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	orgOf := map[string]string{}
	for _, r := range rep.Reviews {
		orgOf[r.ID] = r.OrgName
	}
	name := "review-" + rep.Campaign.OpenedAt.Format("2006-01-02")
	if in.Format == "json" {
		ev := campaignEvidence{Campaign: campaignOut(rep.Campaign), Reviews: []Review{}, Decisions: []evidenceRecord{}}
		for _, r := range rep.Reviews {
			ev.Reviews = append(ev.Reviews, reviewOut(r))
		}
		for _, d := range rep.Decisions {
			ev.Decisions = append(ev.Decisions, evidenceRecord{Organisation: orgOf[d.ReviewID], SiteNames: d.SiteNames,
				UserEmail: d.UserEmail, UserName: d.UserName,
				Decision: Decision{Decision: d.Decision, SiteIDs: d.SiteIDs, Comment: d.Comment, DecidedBy: d.DeciderName, DecidedAt: d.DecidedAt},
				UserThen: json.RawMessage(d.Snapshot)})
		}
		b, err := json.MarshalIndent(ev, "", "  ")
		if err != nil {
			return nil, err
		}
		return &complianceCSV{ContentType: "application/json", ContentDisposition: `attachment; filename="` + name + `.json"`, Body: b}, nil
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(campaignHeader)
	stateOf := map[string]string{}
	for _, r := range rep.Reviews {
		stateOf[r.ID] = r.State
	}
	for _, d := range rep.Decisions {
		by := d.DeciderName
		if by == "" {
			by = "Provisio (due date)"
		}
		_ = w.Write(csvRow(orgOf[d.ReviewID], stateOf[d.ReviewID], d.UserName, d.UserEmail, d.Decision, strings.Join(d.SiteNames, "; "),
			d.Comment, by, d.DecidedAt.UTC().Format(time.RFC3339), d.Snapshot))
	}
	w.Flush()
	return &complianceCSV{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="` + name + `.csv"`, Body: b.Bytes()}, nil
}

var campaignHeader = []string{"organisation", "review_state", "user", "email", "decision", "sites", "comment", "decided_by", "decided_at", "user_then"}

// campaignCSVExample is the CSV export's example in the OpenAPI document.
var campaignCSVExample = csvExample(campaignHeader, "Harbour Dental", "completed", "Tom Reed", "tom.reed@harbour-dental.example",
	"confirm", "", "still handles the front desk", "Maria Lopez", "2026-04-14T16:20:00Z",
	`{"id":"usr_01kk6sce10dyx9g1ercvp1yra5","email":"tom.reed@harbour-dental.example","roles":["customer_user"],"state":"active"}`)

// csvRow makes cells safe to open in a spreadsheet: a cell that starts
// like a formula gets a leading quote.
func csvRow(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// csvOrJSONDoc documents an answer given as CSV or, as format asks, as
// JSON of type T, which huma cannot see in a body of bytes.
func csvOrJSONDoc[T any](s *Server, o huma.Operation, what, csvExample string) huma.Operation {
	asJSON := s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[T](), true, "")
	o.Responses = map[string]*huma.Response{"200": {Description: what + ": CSV with a header row (format=csv) or JSON (format=json)",
		Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}, Example: csvExample},
			"application/json": {Schema: asJSON}}}}
	return o
}
