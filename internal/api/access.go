package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// AccessRequest is a partner's request for access to a site.
type AccessRequest struct {
	ID           string     `json:"id"`
	SiteID       string     `json:"site_id"`
	UserID       string     `json:"user_id"`
	Role         string     `json:"role"`
	Kind         string     `json:"kind" enum:"grant,extension"`
	State        string     `json:"state" enum:"pending,approved,denied,expired,withdrawn"`
	RequestedBy  string     `json:"requested_by"`
	ExpiresAt    time.Time  `json:"expires_at" doc:"when the request lapses unanswered"`
	DecidedBy    string     `json:"decided_by,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	GrantedUntil *time.Time `json:"granted_until,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

func requestOut(r *domain.AccessRequest) AccessRequest {
	return AccessRequest{ID: r.ID, SiteID: r.SiteID, UserID: r.UserID, Role: string(r.Role), Kind: r.Kind, State: string(r.State),
		RequestedBy: r.RequestedBy, ExpiresAt: r.ExpiresAt, DecidedBy: r.DecidedBy, DecidedAt: timePtr(r.DecidedAt),
		GrantedUntil: timePtr(r.GrantedUntil), CreatedAt: r.CreatedAt}
}

// AccessOutcome is a pending request (standard edition) or an assignment
// made at once (professional edition).
type AccessOutcome struct {
	Request    *AccessRequest `json:"request,omitempty"`
	Assignment *Assignment    `json:"assignment,omitempty"`
}

type requestAccessIn struct {
	ID   string `path:"id"`
	Body struct {
		UserID string `json:"user_id" doc:"the partner user; agents may ask for themselves only"`
		Role   string `json:"role,omitempty" doc:"required when the user holds several partner roles (R-ROLE-4)"`
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
	SiteID string `query:"site_id"`
	UserID string `query:"user_id"`
	State  string `query:"state" enum:"pending,approved,denied,expired,withdrawn"`
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
		Email string `json:"email"`
		Name  string `json:"name,omitempty" doc:"needed when no accountant has this email yet"`
	}
}

// AccountantOutcome is an accountant assigned, or invited and assigned on registering.
type AccountantOutcome struct {
	User       User        `json:"user"`
	Invited    bool        `json:"invited"`
	Assignment *Assignment `json:"assignment,omitempty"`
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
	Email string `query:"email" required:"true"`
}

func (s *Server) findAccountant(ctx context.Context, act app.Actor, in *findAccountantIn) (*body[User], error) {
	u, err := s.app.FindAccountant(ctx, act, in.Email)
	if err != nil {
		return nil, err
	}
	return reply(userOut(u)), nil
}
