package app

import (
	"context"
	"errors"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/mail"
)

// Partner access (SPEC section 6). On a standard site a partner user's
// assignment is a request that the customer's administrators approve or
// deny; approved access lasts the edition's period from the approval. On a
// professional site it is immediate and the customer is told.

// AccessResult is what a request for partner access led to: a pending
// request (standard edition) or an assignment at once (professional).
type AccessResult struct {
	Request    *domain.AccessRequest
	Assignment *domain.Assignment
}

// partnerSite loads a site for a partner actor: only a partner linked to
// the site's customer can see it (R-PARTNER-6).
func (u *unit) partnerSite(ctx context.Context, siteID string) (*domain.Site, *domain.Org, error) {
	s, cust, err := u.loadSite(ctx, siteID)
	if err != nil && u.act.Org != nil && u.act.Org.Kind == domain.OrgPartner {
		return nil, nil, domain.RuleError(domain.ENotFound, "R-PARTNER-6",
			"that site is not among the sites of your linked customers")
	}
	return s, cust, err
}

// partnerAccess loads the site and the partner user of a partner access
// use case: the site must be one of a linked customer's (R-PARTNER-6), the
// user one the actor may act for.
func (u *unit) partnerAccess(ctx context.Context, siteID, userID string) (*domain.Site, *domain.Org, *domain.User, error) {
	s, cust, err := u.partnerSite(ctx, siteID)
	if err != nil {
		return nil, nil, nil, err
	}
	usr, err := u.partnerUser(ctx, userID)
	if err != nil {
		return nil, nil, nil, err
	}
	return s, cust, usr, nil
}

// partnerUser loads a partner user that the actor may act for: a partner
// administrator for any user of its partner, an agent for itself.
func (u *unit) partnerUser(ctx context.Context, userID string) (*domain.User, error) {
	act := u.act
	usr, _, err := u.loadUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if act.Org == nil || act.Org.Kind != domain.OrgPartner {
		return nil, forbidden("R-PARTNER-1", "only partner users request or give up partner access")
	}
	if usr.OrgID != act.Org.ID || usr.Type != domain.TypePartner {
		return nil, domain.RuleError(domain.ERule, "R-PARTNER-5", "%s is not one of your partner users", usr.Email)
	}
	if usr.ID != act.User.ID && !act.is(domain.RolePartnerAdmin) {
		return nil, forbidden("R-PARTNER-4", "partner support agents act for themselves only")
	}
	return usr, nil
}

func partnerRole(usr *domain.User, asked domain.Role) (domain.Role, error) {
	var held []domain.Role
	for _, r := range []domain.Role{domain.RolePartnerAdmin, domain.RolePartnerAgent} {
		if usr.HasRole(r) {
			held = append(held, r)
		}
	}
	switch {
	case asked != "" && usr.HasRole(asked) && (asked == domain.RolePartnerAdmin || asked == domain.RolePartnerAgent):
		return asked, nil
	case asked != "":
		return "", domain.RuleError(domain.EInvalid, "R-ROLE-4", "%s does not hold the role %s", usr.Email, asked)
	case len(held) == 1:
		return held[0], nil
	}
	return "", &domain.Error{Code: domain.EInvalid, Rule: "R-ROLE-4", Field: "role",
		Message: usr.Email + " holds several roles: choose the role for this site"}
}

// RequestAccess asks for a partner user's access to a linked customer's
// site (R-PARTNER-1, R-PARTNER-3, R-PARTNER-6). Codes: not_found,
// forbidden, rule, invalid, conflict.
func (a *App) RequestAccess(ctx context.Context, act Actor, siteID, userID string, role domain.Role) (res AccessResult, err error) {
	err = a.write(ctx, act, func(u *unit) error {
		s, cust, usr, err := u.partnerAccess(ctx, siteID, userID)
		if err != nil {
			return err
		}
		if err := assignable(usr); err != nil {
			return err
		}
		if s.State != domain.SiteReady {
			return domain.RuleError(domain.ERule, "R-PARTNER-1", "site %s is %s; access can be requested to ready sites", s.ID, s.State)
		}
		r, err := partnerRole(usr, role)
		if err != nil {
			return err
		}
		if as, err := u.tx.Assignment(ctx, s.ID, usr.ID); err == nil && as.Current(u.now) {
			return &domain.Error{Code: domain.EConflict, Rule: "R-PLUS-1",
				Message: usr.Email + " already has access to site " + s.ID + "; ask to extend it instead"}
		} else if err == nil {
			if _, err := u.expireAssignment(ctx, as); err != nil { // lapsed but not yet swept
				return err
			}
		} else if !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		if s.Edition == domain.EditionProfessional {
			res.Assignment, err = u.grantImmediately(ctx, s, cust, usr, r)
			return err
		}
		res.Request, err = u.openRequest(ctx, s, cust, usr, r, domain.RequestGrant)
		return err
	})
	return res, err
}

// grantImmediately assigns a partner user to a professional site without
// approval and tells the customer (R-PARTNER-3).
func (u *unit) grantImmediately(ctx context.Context, s *domain.Site, cust *domain.Org, usr *domain.User, r domain.Role) (*domain.Assignment, error) {
	as := &domain.Assignment{ID: domain.NewID("asg", u.now), SiteID: s.ID, UserID: usr.ID, Role: r, Via: domain.ViaPartner,
		CreatedBy: u.act.userID(), CreatedAt: u.now}
	if period := u.app.cfg.PartnerAccess[s.Edition]; period > 0 {
		as.ExpiresAt = u.now.Add(period)
		u.scheduleExpiry(as)
	}
	if err := u.tx.CreateAssignment(ctx, as); err != nil {
		return nil, err
	}
	if err := u.record(ctx, "partner_access.grant", "assignment", as.ID, cust.ID, nil, as); err != nil {
		return nil, err
	}
	admins, err := u.tx.OrgAdmins(ctx, cust.ID, domain.RoleCustomerAdmin)
	if err != nil {
		return nil, err
	}
	d := u.partnerData(ctx, s, usr, r)
	d.ExpiresAt = as.ExpiresAt
	if err := u.announce(ctx, domain.NoticePartnerImmediate, []string{cust.ID, usr.OrgID}, d, admins...); err != nil {
		return nil, err
	}
	return as, u.notify(ctx, domain.NoticeAccessGranted, usr.OrgID, usr, d)
}

func (u *unit) scheduleExpiry(as *domain.Assignment) {
	if u.expiries == nil {
		u.expiries = map[string]time.Time{}
	}
	u.expiries[as.ID] = as.ExpiresAt
}

// partnerData is the notice data about a partner user and a site.
func (u *unit) partnerData(ctx context.Context, s *domain.Site, usr *domain.User, r domain.Role) mail.Data {
	d := siteData(u, s, usr, r)
	if p, err := u.anyOrg(ctx, usr.OrgID); err == nil {
		d.OrgName = p.Name
	}
	return d
}

// openRequest records a pending request and mails each customer
// administrator single-use approve and deny links (R-PARTNER-1).
func (u *unit) openRequest(ctx context.Context, s *domain.Site, cust *domain.Org, usr *domain.User, r domain.Role, kind string) (*domain.AccessRequest, error) {
	req := &domain.AccessRequest{ID: domain.NewID("req", u.now), SiteID: s.ID, UserID: usr.ID, Role: r, Kind: kind,
		State: domain.RequestPending, RequestedBy: u.act.userID(), ExpiresAt: u.now.Add(u.app.cfg.RequestTTL), CreatedAt: u.now}
	if err := u.tx.CreateAccessRequest(ctx, req); err != nil {
		if errors.Is(err, domain.ErrUnique) {
			return nil, &domain.Error{Code: domain.EConflict, Rule: "R-PARTNER-1",
				Message: usr.Email + " already has a request waiting for " + s.Name}
		}
		return nil, err
	}
	if err := u.record(ctx, "access_request.create", "access_request", req.ID, cust.ID, nil, req); err != nil {
		return nil, err
	}
	admins, err := u.tx.OrgAdmins(ctx, cust.ID, domain.RoleCustomerAdmin)
	if err != nil {
		return nil, err
	}
	d := u.partnerData(ctx, s, usr, r)
	d.ExpiresAt, d.Extension = req.ExpiresAt, kind == domain.RequestExtension
	for _, ad := range admins {
		if d.Link, err = u.accessLink(ctx, "approve", req.ID, "", ad.ID, req.ExpiresAt); err != nil {
			return nil, err
		}
		if d.DenyLink, err = u.accessLink(ctx, "deny", req.ID, "", ad.ID, req.ExpiresAt); err != nil {
			return nil, err
		}
		if err := u.notify(ctx, domain.NoticeAccessRequested, cust.ID, ad, d); err != nil {
			return nil, err
		}
	}
	d.Link, d.DenyLink = u.app.cfg.BaseURL+"/sites/"+s.ID, ""
	return req, u.event(ctx, domain.NoticeAccessRequested, []string{cust.ID, usr.OrgID}, d)
}

// accessLink stores a single-use link token for one recipient and returns
// the link.
func (u *unit) accessLink(ctx context.Context, action, requestID, assignmentID, userID string, expires time.Time) (string, error) {
	token := identity.NewSecret("acl")
	l := &domain.AccessLink{Action: action, RequestID: requestID, AssignmentID: assignmentID, UserID: userID, ExpiresAt: expires}
	if err := u.tx.CreateAccessLink(ctx, identity.HashSecret(token), l, u.now); err != nil {
		return "", err
	}
	return u.app.cfg.BaseURL + "/access/" + token + "?action=" + action, nil
}
