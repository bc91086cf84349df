package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type listSitesIn struct {
	CustomerID string `query:"customer_id" doc:"only this customer's sites" example:"org_01kjyvahs0jdypew7da395kjeb"`
	State      string `query:"state" enum:"provisioning,failed,ready,suspended,cancelled,deleted" doc:"only sites in this state" example:"ready"`
	PageParams
}

func (s *Server) listSites(ctx context.Context, act app.Actor, in *listSitesIn) (*body[Page[Site]], error) {
	f := domain.SiteFilter{Page: in.page()}
	if in.CustomerID != "" {
		f.CustomerID = &in.CustomerID
	}
	if in.State != "" {
		st := domain.SiteState(in.State)
		f.State = &st
	}
	l, err := s.app.Sites(ctx, act, f)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, x := range l.Items {
		ids = append(ids, x.CustomerID)
	}
	names, err := s.app.Names(ctx, act, ids)
	if err != nil {
		return nil, err
	}
	return reply(pageOut(l, func(x *domain.Site) Site {
		out := siteOut(x)
		out.CustomerName = names[x.CustomerID]
		return out
	})), nil
}

type createSiteIn struct {
	Body struct {
		CustomerID string `json:"customer_id" doc:"the customer the site is for; a partner's linked customer, for partner administrators" example:"org_01kjyvahs0jdypew7da395kjeb"`
		Name       string `json:"name" maxLength:"200" doc:"the site's name" example:"harbour-dental-prod"`
		Edition    string `json:"edition" enum:"standard,professional" doc:"standard: hosted by the vendor (operators only); professional: hosted through the partner's cloud agreement (R-SITE-0)" example:"standard"`
		Company    string `json:"company,omitempty" doc:"name of the site's first company" maxLength:"200" example:"Harbour Dental Ltd"`
	}
}

func (s *Server) createSite(ctx context.Context, act app.Actor, in *createSiteIn) (*body[Site], error) {
	site, err := s.app.CreateSite(ctx, act, app.NewSite{CustomerID: in.Body.CustomerID, Name: in.Body.Name,
		Edition: domain.Edition(in.Body.Edition), Company: in.Body.Company})
	return siteReply(site, err)
}

func siteReply(site *domain.Site, err error) (*body[Site], error) {
	if err != nil {
		return nil, err
	}
	return reply(siteOut(site)), nil
}

func (s *Server) getSite(ctx context.Context, act app.Actor, in *idIn) (*body[Site], error) {
	site, err := s.app.Site(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	names, err := s.app.Names(ctx, act, []string{site.CustomerID})
	if err != nil {
		return nil, err
	}
	out := siteOut(site)
	out.CustomerName = names[site.CustomerID]
	return reply(out), nil
}

type suspendIn struct {
	ID   string `path:"id"`
	Body struct {
		Reason string `json:"reason" doc:"why the site is suspended (R-SITE-1)" example:"invoice 2026-0142 unpaid"`
		Until  string `json:"until" doc:"expected end: an RFC 3339 time or a YYYY-MM-DD date" example:"2026-12-31"`
	}
}

func (s *Server) suspendSite(ctx context.Context, act app.Actor, in *suspendIn) (*body[Site], error) {
	until, err := parseTime(in.Body.Until)
	if err != nil {
		return nil, &domain.Error{Code: domain.EInvalid, Rule: "R-SITE-1", Field: "until",
			Message: "until must be a date (2026-12-31) or an RFC 3339 time"}
	}
	return siteReply(s.app.SuspendSite(ctx, act, in.ID, in.Body.Reason, until))
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

func (s *Server) resumeSite(ctx context.Context, act app.Actor, in *idIn) (*body[Site], error) {
	return siteReply(s.app.ResumeSite(ctx, act, in.ID))
}

func (s *Server) cancelSite(ctx context.Context, act app.Actor, in *idReasonIn) (*body[Site], error) {
	return siteReply(s.app.CancelSite(ctx, act, in.ID, in.Reason))
}

func (s *Server) restoreSite(ctx context.Context, act app.Actor, in *idIn) (*body[Site], error) {
	return siteReply(s.app.RestoreSite(ctx, act, in.ID))
}

type accessIn struct {
	ID      string `path:"id"`
	User    string `query:"user" required:"true" doc:"the user's id" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Company string `query:"company" doc:"a company of the site, to ask about it too" example:"co_01kktmh4n09bmmb56yd7qkjzzz"`
}

func (s *Server) checkAccess(ctx context.Context, act app.Actor, in *accessIn) (*body[Access], error) {
	d, err := s.app.Access(ctx, act, in.ID, in.User, in.Company)
	if err != nil {
		return nil, err
	}
	return reply(Access{Allowed: d.Allowed, Reason: d.Reason, Role: string(d.Role), Via: string(d.Via),
		ExpiresAt: timePtr(d.ExpiresAt)}), nil
}

type siteUsersIn struct {
	ID string `path:"id"`
	PageParams
}

func (s *Server) listSiteUsers(ctx context.Context, act app.Actor, in *siteUsersIn) (*body[Page[SiteUser]], error) {
	l, err := s.app.SiteUsers(ctx, act, in.ID, in.page())
	if err != nil {
		return nil, err
	}
	return reply(pageOut(l, func(su *domain.SiteUser) SiteUser {
		c := su.Companies
		if c == nil {
			c = []string{}
		}
		return SiteUser{Assignment: assignmentOut(&su.Assignment), Name: su.UserName, Email: su.UserEmail,
			State: string(su.UserState), Companies: c}
	})), nil
}

type assignIn struct {
	ID   string `path:"id"`
	Body struct {
		UserID string `json:"user_id" doc:"an active user of the site's customer, or of its partner (R-ASSIGN-1)" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
		Role   string `json:"role,omitempty" doc:"the role on this site; required when the user holds several (R-ROLE-4)" example:"customer_user"`
	}
}

func (s *Server) assignUser(ctx context.Context, act app.Actor, in *assignIn) (*body[Assignment], error) {
	a, err := s.app.AssignUser(ctx, act, in.ID, in.Body.UserID, domain.Role(in.Body.Role))
	if err != nil {
		return nil, err
	}
	return reply(assignmentOut(a)), nil
}

type siteUserIn struct {
	ID     string `path:"id"`
	UserID string `path:"user_id" doc:"the user's id" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
}

type siteUserReasonIn struct {
	ID     string `path:"id"`
	UserID string `path:"user_id" doc:"the user's id" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Reason string `query:"reason" maxLength:"500" doc:"why, in a few words, for the activity log and the notice" example:"work finished"`
}

func (s *Server) unassignUser(ctx context.Context, act app.Actor, in *siteUserReasonIn) (*struct{}, error) {
	return nil, s.app.UnassignUser(ctx, act, in.ID, in.UserID, in.Reason)
}

func (s *Server) listCompanies(ctx context.Context, act app.Actor, in *siteUsersIn) (*body[Page[Company]], error) {
	l, err := s.app.Companies(ctx, act, in.ID, in.page())
	if err != nil {
		return nil, err
	}
	return reply(pageOut(l, companyOut)), nil
}

type companyNameIn struct {
	ID   string `path:"id"`
	Body struct {
		Name string `json:"name" maxLength:"200" doc:"the legal entity's name" example:"Harbour Dental Ltd"`
	}
}

func (s *Server) createCompany(ctx context.Context, act app.Actor, in *companyNameIn) (*body[Company], error) {
	return companyReply(s.app.CreateCompany(ctx, act, in.ID, in.Body.Name))
}

func (s *Server) renameCompany(ctx context.Context, act app.Actor, in *companyNameIn) (*body[Company], error) {
	return companyReply(s.app.RenameCompany(ctx, act, in.ID, in.Body.Name))
}

func companyReply(c *domain.Company, err error) (*body[Company], error) {
	if err != nil {
		return nil, err
	}
	return reply(companyOut(c)), nil
}

func (s *Server) assignCompany(ctx context.Context, act app.Actor, in *siteUserIn) (*struct{}, error) {
	return nil, s.app.AssignCompany(ctx, act, in.ID, in.UserID)
}

func (s *Server) unassignCompany(ctx context.Context, act app.Actor, in *siteUserIn) (*struct{}, error) {
	return nil, s.app.UnassignCompany(ctx, act, in.ID, in.UserID)
}
