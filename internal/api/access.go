package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// AccessRequest is a partner's request for access to a site.
type AccessRequest struct {
	ID           string     `json:"id" doc:"the request's id" example:"req_01kmagmx50etbyabrhzpj7110h"`
	SiteID       string     `json:"site_id" doc:"the customer site asked for" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	UserID       string     `json:"user_id" doc:"the partner user who would get access" example:"usr_01kkardc5081sagxezqehhg3z2"`
	Role         string     `json:"role" doc:"the partner role the access would be used with (R-ROLE-4)" example:"partner_agent"`
	Kind         string     `json:"kind" enum:"grant,extension" doc:"grant: first access (R-PARTNER-1); extension: more time for a running grant (R-PLUS-1)" example:"grant"`
	State        string     `json:"state" enum:"pending,approved,denied,expired,withdrawn" doc:"pending until a customer administrator answers, or it lapses (R-PARTNER-4)" example:"pending"`
	RequestedBy  string     `json:"requested_by" doc:"the partner user who asked" example:"usr_01kkardc5081sagxezqehhg3z2"`
	ExpiresAt    time.Time  `json:"expires_at" doc:"when the request lapses unanswered (R-PARTNER-4)" example:"2026-03-09T09:15:00Z"`
	DecidedBy    string     `json:"decided_by,omitempty" doc:"the customer administrator who approved or denied" example:"usr_01kk2tbfx02cdjh3r9ahyb84pa"`
	DecidedAt    *time.Time `json:"decided_at,omitempty" doc:"when it was approved or denied" example:"2026-03-02T10:02:00Z"`
	GrantedUntil *time.Time `json:"granted_until,omitempty" doc:"for an approved request, when the access ends (R-PARTNER-2, R-PLUS-1)" example:"2026-03-09T10:02:00Z"`
	CreatedAt    time.Time  `json:"created_at" doc:"when the request was made" example:"2026-03-02T09:15:00Z"`
}

func requestOut(r *domain.AccessRequest) AccessRequest {
	return AccessRequest{ID: r.ID, SiteID: r.SiteID, UserID: r.UserID, Role: string(r.Role), Kind: r.Kind, State: string(r.State),
		RequestedBy: r.RequestedBy, ExpiresAt: r.ExpiresAt, DecidedBy: r.DecidedBy, DecidedAt: timePtr(r.DecidedAt),
		GrantedUntil: timePtr(r.GrantedUntil), CreatedAt: r.CreatedAt}
}

// AccessOutcome is a pending request (standard edition) or an assignment
// made at once (professional edition).
type AccessOutcome struct {
	Request    *AccessRequest `json:"request,omitempty" doc:"standard edition: the request now waiting for the customer's approval (R-PARTNER-1)"`
	Assignment *Assignment    `json:"assignment,omitempty" doc:"professional edition: the access, given at once (R-PARTNER-3)"`
}

type requestAccessIn struct {
	ID   string `path:"id"`
	Body struct {
		UserID string `json:"user_id" doc:"the partner user; agents may ask for themselves only" example:"usr_01kkardc5081sagxezqehhg3z2"`
		Role   string `json:"role,omitempty" doc:"required when the user holds several partner roles (R-ROLE-4)" example:"partner_agent"`
	}
}

func (s *Server) requestAccess(ctx context.Context, act app.Actor, in *requestAccessIn) (*body[AccessOutcome], error) {
	res, err := s.app.RequestAccess(ctx, act, in.ID, in.Body.UserID, domain.Role(in.Body.Role))
	if err != nil {
		return nil, err
	}
	var out AccessOutcome
	if res.Request != nil {
		r := requestOut(res.Request)
		out.Request = &r
	}
	if res.Assignment != nil {
		a := assignmentOut(res.Assignment)
		out.Assignment = &a
	}
	return reply(out), nil
}

type listRequestsIn struct {
	SiteID string `query:"site_id" doc:"only requests for this site" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	UserID string `query:"user_id" doc:"only requests for this partner user" example:"usr_01kkardc5081sagxezqehhg3z2"`
	State  string `query:"state" enum:"pending,approved,denied,expired,withdrawn" doc:"only requests in this state" example:"pending"`
	PageParams
}

func (s *Server) listRequests(ctx context.Context, act app.Actor, in *listRequestsIn) (*body[Page[AccessRequest]], error) {
	f := domain.AccessRequestFilter{Page: in.page()}
	if in.SiteID != "" {
		f.SiteID = &in.SiteID
	}
	if in.UserID != "" {
		f.UserID = &in.UserID
	}
	if in.State != "" {
		st := domain.RequestState(in.State)
		f.State = &st
	}
	l, err := s.app.AccessRequests(ctx, act, f)
	if err != nil {
		return nil, err
	}
	return reply(pageOut(l, requestOut)), nil
}

type approveIn struct {
	ID   string `path:"id"`
	Body *struct {
		Period string `json:"period,omitempty" doc:"grant for less than the maximum, e.g. 48h (R-PLUS-1)" example:"72h"`
	}
}

func (s *Server) approveRequest(ctx context.Context, act app.Actor, in *approveIn) (*body[AccessRequest], error) {
	var period time.Duration
	if in.Body != nil && in.Body.Period != "" {
		var err error
		if period, err = time.ParseDuration(in.Body.Period); err != nil || period <= 0 {
			return nil, &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-1", Field: "period", Message: "period must be a positive duration such as 48h"}
		}
	}
	return requestReply(s.app.ApproveRequest(ctx, act, in.ID, period))
}

func requestReply(r *domain.AccessRequest, err error) (*body[AccessRequest], error) {
	if err != nil {
		return nil, err
	}
	return reply(requestOut(r)), nil
}

func (s *Server) denyRequest(ctx context.Context, act app.Actor, in *idReasonIn) (*body[AccessRequest], error) {
	return requestReply(s.app.DenyRequest(ctx, act, in.ID, in.Reason))
}

func (s *Server) revokeAccess(ctx context.Context, act app.Actor, in *siteUserReasonIn) (*struct{}, error) {
	return nil, s.app.RevokeAccess(ctx, act, in.ID, in.UserID, in.Reason)
}

func (s *Server) unassignPartner(ctx context.Context, act app.Actor, in *siteUserReasonIn) (*struct{}, error) {
	return nil, s.app.UnassignPartner(ctx, act, in.ID, in.UserID, in.Reason)
}

func (s *Server) extendAccess(ctx context.Context, act app.Actor, in *siteUserIn) (*body[AccessRequest], error) {
	return requestReply(s.app.RequestExtension(ctx, act, in.ID, in.UserID))
}

type accountantIn struct {
	ID   string `path:"id"`
	Body struct {
		Email string `json:"email" doc:"the accountant's email address (R-ACCT-2)" example:"anna@kovacs-accounting.example"`
		Name  string `json:"name,omitempty" doc:"needed when no accountant has this email yet" example:"Anna Kovacs"`
	}
}

// AccountantOutcome is an accountant assigned, or invited and assigned on registering.
type AccountantOutcome struct {
	User       User        `json:"user" doc:"the accountant"`
	Invited    bool        `json:"invited" doc:"the email was unknown: an accountant was created and invited, and is assigned on registering (R-ACCT-2)" example:"false"`
	Assignment *Assignment `json:"assignment,omitempty" doc:"the assignment to the site, made at once for a known accountant"`
}

func (s *Server) assignAccountant(ctx context.Context, act app.Actor, in *accountantIn) (*body[AccountantOutcome], error) {
	res, err := s.app.AssignAccountant(ctx, act, in.ID, in.Body.Email, in.Body.Name)
	if err != nil {
		return nil, err
	}
	out := AccountantOutcome{User: userOut(res.User), Invited: res.Invited}
	if res.Assignment != nil {
		a := assignmentOut(res.Assignment)
		out.Assignment = &a
	}
	return reply(out), nil
}

type findAccountantIn struct {
	Email string `query:"email" required:"true" doc:"the accountant's email address" example:"anna@kovacs-accounting.example"`
}

func (s *Server) findAccountant(ctx context.Context, act app.Actor, in *findAccountantIn) (*body[User], error) {
	u, err := s.app.FindAccountant(ctx, act, in.Email)
	if err != nil {
		return nil, err
	}
	return reply(userOut(u)), nil
}
