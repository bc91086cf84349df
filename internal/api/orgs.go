package api

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type listOrgsIn struct {
	Kind      string `query:"kind" enum:"vendor,partner,customer" doc:"only organisations of this kind" example:"customer"`
	PartnerID string `query:"partner_id" doc:"only the customers of this partner" example:"org_01kjtw9kn0hy14x8rzq06vtv72"`
	PageParams
}

func (s *Server) listOrgs(ctx context.Context, act app.Actor, in *listOrgsIn) (*body[Page[Org]], error) {
	f := domain.OrgFilter{Page: in.page()}
	if in.Kind != "" {
		k := domain.OrgKind(in.Kind)
		f.Kind = &k
	}
	if in.PartnerID != "" {
		f.PartnerID = &in.PartnerID
	}
	l, err := s.app.Orgs(ctx, act, f)
	if err != nil {
		return nil, err
	}
	return reply(pageOut(l, orgOut)), nil
}

type createOrgIn struct {
	Body struct {
		Kind      string `json:"kind" enum:"partner,customer" doc:"a reseller partner or a customer" example:"customer"`
		Name      string `json:"name" minLength:"1" maxLength:"200" doc:"the organisation's name" example:"Harbour Dental"`
		PartnerID string `json:"partner_id,omitempty" doc:"customers: the partner of record" example:"org_01kjtw9kn0hy14x8rzq06vtv72"`
		Demo      bool   `json:"demo,omitempty" doc:"customers: the partner's own demo customer (R-ROLE-3)" example:"false"`
	}
}

func (s *Server) createOrg(ctx context.Context, act app.Actor, in *createOrgIn) (*body[Org], error) {
	o, err := s.app.CreateOrg(ctx, act, app.NewOrg{Kind: domain.OrgKind(in.Body.Kind), Name: in.Body.Name,
		PartnerID: in.Body.PartnerID, Demo: in.Body.Demo})
	if err != nil {
		return nil, err
	}
	return reply(orgOut(o)), nil
}

func (s *Server) getOrg(ctx context.Context, act app.Actor, in *idIn) (*body[Org], error) {
	o, err := s.app.Org(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(orgOut(o)), nil
}

type updateOrgIn struct {
	ID   string `path:"id"`
	Body struct {
		Name             *string `json:"name,omitempty" maxLength:"200" doc:"a new name" example:"Harbour Dental Group"`
		MainContactID    *string `json:"main_contact_id,omitempty" doc:"the user who becomes the main contact: one of the organisation's active users (R-ORG-2)" example:"usr_01kk2tbfx02cdjh3r9ahyb84pa"`
		Demo             *bool   `json:"demo,omitempty" doc:"operators: mark a customer as its partner's own demo customer, or not (R-ROLE-3)" example:"false"`
		RequireMFA       *bool   `json:"require_mfa,omitempty" doc:"require a second factor of the organisation's users (R-PLUS-3)" example:"true"`
		LockDormant      *bool   `json:"lock_dormant,omitempty" doc:"lock users not signed in for the dormancy period, after a warning a week before (R-PLUS-4)" example:"true"`
		ReviewAutoRemove *string `json:"review_auto_remove,omitempty" enum:",lock,unassign" doc:"at a review's due date, lock (lock) or take off their sites (unassign) the users nobody confirmed; empty: tell the operators instead (R-PLUS-5)" example:"unassign"`
	}
}

func (s *Server) updateOrg(ctx context.Context, act app.Actor, in *updateOrgIn) (*body[Org], error) {
	o, err := s.app.UpdateOrg(ctx, act, in.ID, domain.OrgUpdate{Name: in.Body.Name,
		MainContactID: in.Body.MainContactID, Demo: in.Body.Demo, RequireMFA: in.Body.RequireMFA, LockDormant: in.Body.LockDormant,
		ReviewAutoRemove: in.Body.ReviewAutoRemove})
	if err != nil {
		return nil, err
	}
	return reply(orgOut(o)), nil
}

type linkPartnerIn struct {
	ID   string `path:"id"`
	Body struct {
		PartnerID string `json:"partner_id" minLength:"1" doc:"the partner to link the customer to" example:"org_01kjtw9kn0hy14x8rzq06vtv72"`
	}
}

func (s *Server) linkPartner(ctx context.Context, act app.Actor, in *linkPartnerIn) (*body[Org], error) {
	o, err := s.app.SetPartner(ctx, act, in.ID, in.Body.PartnerID)
	if err != nil {
		return nil, err
	}
	return reply(orgOut(o)), nil
}

func (s *Server) unlinkPartner(ctx context.Context, act app.Actor, in *idIn) (*body[Org], error) {
	o, err := s.app.SetPartner(ctx, act, in.ID, "")
	if err != nil {
		return nil, err
	}
	return reply(orgOut(o)), nil
}

// PartnerLinkRequest is a customer asking the partner to become its
// partner of record.
type PartnerLinkRequest struct {
	CustomerID   string    `json:"customer_id" doc:"the customer asking" example:"org_01kjyvahs0jdypew7da395kjeb"`
	CustomerName string    `json:"customer_name" doc:"the customer's name" example:"Harbour Dental"`
	AskedBy      string    `json:"asked_by" doc:"the customer administrator who asked" example:"Maria Lopez"`
	At           time.Time `json:"at" doc:"when the customer asked" example:"2026-03-02T09:15:00Z"`
}

func (s *Server) listLinkRequests(ctx context.Context, act app.Actor, _ *struct{}) (*body[Page[PartnerLinkRequest]], error) {
	ls, err := s.app.PartnerLinkRequests(ctx, act)
	if err != nil {
		return nil, err
	}
	out := Page[PartnerLinkRequest]{Items: make([]PartnerLinkRequest, len(ls))}
	for i, l := range ls {
		out.Items[i] = PartnerLinkRequest{CustomerID: l.CustomerID, CustomerName: l.CustomerName, AskedBy: l.AskedBy, At: l.At}
	}
	return reply(out), nil
}

type linkAnswerIn struct {
	CustomerID string `path:"customer_id" doc:"the customer asking" example:"org_01kjyvahs0jdypew7da395kjeb"`
}

func (s *Server) acceptLink(ctx context.Context, act app.Actor, in *linkAnswerIn) (*body[Org], error) {
	o, err := s.app.AnswerPartnerLink(ctx, act, in.CustomerID, true)
	if err != nil {
		return nil, err
	}
	return reply(orgOut(o)), nil
}

func (s *Server) declineLink(ctx context.Context, act app.Actor, in *linkAnswerIn) (*struct{}, error) {
	_, err := s.app.AnswerPartnerLink(ctx, act, in.CustomerID, false)
	return nil, err
}
