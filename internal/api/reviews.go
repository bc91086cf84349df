package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// User reviews (R-AUDIT-3, R-PLUS-5).

// Review is one organisation's part of a review campaign.
type Review struct {
	ID           string     `json:"id"`
	CampaignID   string     `json:"campaign_id"`
	CampaignName string     `json:"campaign_name"`
	OrgID        string     `json:"org_id"`
	OrgName      string     `json:"org_name"`
	State        string     `json:"state" enum:"open,completed,escalated,auto_closed"`
	DueAt        time.Time  `json:"due_at"`
	Users        int        `json:"users" doc:"the organisation's users"`
	Decided      int        `json:"decided" doc:"of them, those confirmed or removed"`
	Reminders    int        `json:"reminders"`
	CompletedAt  *time.Time `json:"completed_at,omitempty"`
	EscalatedAt  *time.Time `json:"escalated_at,omitempty"`
}

func reviewOut(r *domain.Review) Review {
	return Review{ID: r.ID, CampaignID: r.CampaignID, CampaignName: r.CampaignName, OrgID: r.OrgID, OrgName: r.OrgName,
		State: r.State, DueAt: r.DueAt, Users: r.Users, Decided: r.Decided, Reminders: r.Reminders,
		CompletedAt: timePtr(r.CompletedAt), EscalatedAt: timePtr(r.EscalatedAt)}
}

type reviewList struct {
	Items []Review `json:"items"`
}

type listReviewsIn struct {
	State string `query:"state" enum:"open,completed,escalated,auto_closed" doc:"only reviews in this state; escalated: overdue ones"`
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
	SiteID    string     `json:"site_id"`
	SiteName  string     `json:"site_name"`
	Role      string     `json:"role"`
	Via       string     `json:"via"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Decision is what was decided about a user in a review.
type Decision struct {
	Decision  string    `json:"decision" enum:"confirm,lock,unassign,auto_lock,auto_unassign,kept"`
	SiteIDs   []string  `json:"site_ids,omitempty" doc:"for unassign: the sites the user was taken off"`
	Comment   string    `json:"comment,omitempty"`
	DecidedBy string    `json:"decided_by,omitempty" doc:"who decided, by name; empty: Provisio at the due date (R-PLUS-5)"`
	DecidedAt time.Time `json:"decided_at"`
}

// ReviewedUser is a person in a review.
type ReviewedUser struct {
	UserID       string         `json:"user_id"`
	Name         string         `json:"name"`
	Email        string         `json:"email"`
	Roles        []string       `json:"roles"`
	State        string         `json:"state"`
	LastActiveAt *time.Time     `json:"last_active_at,omitempty" doc:"the last sign-in by any way; empty: never"`
	Sites        []ReviewedSite `json:"sites"`
	Findings     []Finding      `json:"findings" doc:"what the compliance report says about the user (R-AUDIT-2)"`
	Decision     *Decision      `json:"decision,omitempty" doc:"empty: not decided yet"`
}

// ReviewDetail is a review with every user of the organisation.
type ReviewDetail struct {
	Review Review         `json:"review"`
	Users  []ReviewedUser `json:"users"`
	Can    struct {
		Decide        bool `json:"decide"`
		RemoveOverdue bool `json:"remove_overdue"`
	} `json:"can"`
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
		Decisions []struct {
			UserID   string   `json:"user_id"`
			Decision string   `json:"decision" enum:"confirm,lock,unassign"`
			SiteIDs  []string `json:"site_ids,omitempty" doc:"for unassign: which sites; empty: all"`
			Comment  string   `json:"comment,omitempty" maxLength:"1000"`
		} `json:"decisions,omitempty" maxItems:"5000"`
		ConfirmRest bool `json:"confirm_rest,omitempty" doc:"confirm every user not decided yet (confirm all unchanged)"`
	}
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
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ScheduleKey string    `json:"scheduled_for,omitempty" doc:"the scheduled day it opened for; empty: opened by hand"`
	OpenedAt    time.Time `json:"opened_at"`
	DueAt       time.Time `json:"due_at"`
}

func campaignOut(c *domain.Campaign) Campaign {
	return Campaign{ID: c.ID, Name: c.Name, ScheduleKey: c.ScheduleKey, OpenedAt: c.OpenedAt, DueAt: c.DueAt}
}

type campaignList struct {
	Items []Campaign `json:"items"`
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
		Name   string   `json:"name,omitempty" maxLength:"200" doc:"default: User review, <today>"`
		OrgIDs []string `json:"org_ids,omitempty" maxItems:"10000" doc:"the organisations to review; empty: every partner and customer"`
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
	Format string `query:"format" enum:"csv,json" default:"csv"`
}

// campaignEvidence is the JSON export of a campaign.
type campaignEvidence struct {
	Campaign  Campaign         `json:"campaign"`
	Reviews   []Review         `json:"reviews"`
	Decisions []evidenceRecord `json:"decisions"`
}

type evidenceRecord struct {
	Organisation string   `json:"organisation"`
	SiteNames    []string `json:"site_names,omitempty" doc:"the names of site_ids"`
	UserEmail    string   `json:"user_email"`
	UserName     string   `json:"user_name"`
	Decision
	UserThen json.RawMessage `json:"user_then" doc:"the user as they were when decided"`
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
	_ = w.Write([]string{"organisation", "review_state", "user", "email", "decision", "sites", "comment", "decided_by", "decided_at", "user_then"})
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

// csvOrJSONDoc documents an export answered as CSV or JSON.
func csvOrJSONDoc(o huma.Operation, what string) huma.Operation {
	o.Responses = map[string]*huma.Response{"200": {Description: what + ": CSV with a header row (format=csv) or JSON (format=json)",
		Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}},
			"application/json": {Schema: &huma.Schema{Type: huma.TypeObject}}}}}
	return o
}
