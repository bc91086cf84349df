package app

import (
	"context"
	"errors"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// closeRequest ends a pending request in state: it records who decided and
// when (and, for an approval, until when access runs), voids every link
// mailed for it, and writes the activity-log entry. It returns
// domain.ErrNotFound when the request was no longer pending, so two answers
// cannot both win.
func (u *unit) closeRequest(ctx context.Context, req *domain.AccessRequest, state domain.RequestState,
	grantedUntil time.Time, action, orgID string) error {
	before := *req
	req.State, req.DecidedBy, req.DecidedAt, req.GrantedUntil = state, u.act.userID(), u.now, grantedUntil
	if err := u.tx.DecideRequest(ctx, req); err != nil {
		return err
	}
	if err := u.tx.ExpireRequestLinks(ctx, req.ID, u.now); err != nil {
		return err
	}
	return u.record(ctx, action, "access_request", req.ID, orgID, before, req)
}

// revokePartnerAccess removes a partner user's access to a site at once
// and tells the partner user.
func (u *unit) revokePartnerAccess(ctx context.Context, as *domain.Assignment, s *domain.Site) error {
	if err := u.tx.DeleteAssignment(ctx, as.SiteID, as.UserID, u.now); err != nil {
		return err
	}
	if err := u.record(ctx, "partner_access.revoke", "assignment", as.ID, s.CustomerID, as, nil); err != nil {
		return err
	}
	usr, err := u.tx.User(ctx, domain.Everything, as.UserID)
	if err != nil {
		return err
	}
	d := u.partnerData(ctx, s, usr, as.Role)
	d.Reason = u.reason
	return u.announce(ctx, domain.NoticeAccessRevoked, []string{usr.OrgID, s.CustomerID}, d, usr)
}

// pendingRequest loads a request the customer's administrator may answer.
func (u *unit) pendingRequest(ctx context.Context, id string) (*domain.AccessRequest, *domain.Site, *domain.Org, error) {
	req, err := u.tx.AccessRequest(ctx, u.act.scope(), id)
	if err != nil {
		return nil, nil, nil, storeErr(err, "access request", id)
	}
	s, cust, err := u.loadSite(ctx, req.SiteID)
	if err != nil {
		return nil, nil, nil, hideAs(err, "access request", id)
	}
	if !u.act.sitePermissions(s, cust).AnswerRequests {
		return nil, nil, nil, forbidden("R-PARTNER-1", "only the customer's administrators answer partner access requests")
	}
	if req.Lapsed(u.now) {
		// The sweep marks it expired and tells the partner; the answer is
		// refused either way.
		return nil, nil, nil, domain.RuleError(domain.ERule, "R-PARTNER-4", "this request expired unanswered on %s",
			req.ExpiresAt.Format(time.RFC3339))
	}
	if req.State != domain.RequestPending {
		return nil, nil, nil, domain.RuleError(domain.ERule, "R-PARTNER-4", "this request was already %s", req.State)
	}
	return req, s, cust, nil
}

// ApproveRequest approves a pending request (R-PARTNER-2). Access runs
// from now for period, which may be shorter than the edition's maximum
// (R-PLUS-1); zero means the maximum. Codes: not_found, forbidden, rule,
// invalid.
func (a *App) ApproveRequest(ctx context.Context, act Actor, id string, period time.Duration) (req *domain.AccessRequest, err error) {
	err = a.write(ctx, act, func(u *unit) error {
		var s *domain.Site
		var cust *domain.Org
		if req, s, cust, err = u.pendingRequest(ctx, id); err != nil {
			return err
		}
		return u.approve(ctx, req, s, cust, period)
	})
	return req, err
}

func (u *unit) approve(ctx context.Context, req *domain.AccessRequest, s *domain.Site, cust *domain.Org, period time.Duration) error {
	max := u.app.cfg.PartnerAccess[s.Edition]
	switch {
	case period < 0 || max > 0 && period > max:
		return &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-1", Field: "period",
			Message: "access can be granted for at most " + max.String() + " on a " + string(s.Edition) + " site"}
	case period == 0:
		period = max
	}
	usr, err := u.tx.User(ctx, domain.Everything, req.UserID)
	if err != nil {
		return err
	}
	if err := assignable(usr); err != nil {
		return err
	}
	var until time.Time
	if period > 0 {
		until = u.now.Add(period)
	}
	if err := u.closeRequest(ctx, req, domain.RequestApproved, until, "access_request.approve", cust.ID); err != nil {
		return storeErrRule(err, "R-PARTNER-4", "this request was already answered")
	}
	as, err := u.tx.Assignment(ctx, s.ID, usr.ID)
	switch {
	case err == nil && req.Kind == domain.RequestExtension:
		prev := *as
		as.ExpiresAt = req.GrantedUntil
		if err := u.tx.SetAssignmentExpiry(ctx, as.ID, as.ExpiresAt); err != nil {
			return err
		}
		if err := u.record(ctx, "partner_access.extend", "assignment", as.ID, cust.ID, prev, as); err != nil {
			return err
		}
	case err == nil:
		return &domain.Error{Code: domain.EConflict, Message: usr.Email + " already has access to site " + s.ID}
	case errors.Is(err, domain.ErrNotFound):
		as = &domain.Assignment{ID: domain.NewID("asg", u.now), SiteID: s.ID, UserID: usr.ID, Role: req.Role,
			Via: domain.ViaPartner, ExpiresAt: req.GrantedUntil, CreatedBy: u.act.userID(), CreatedAt: u.now}
		if err := u.tx.CreateAssignment(ctx, as); err != nil {
			return err
		}
		if err := u.record(ctx, "partner_access.grant", "assignment", as.ID, cust.ID, nil, as); err != nil {
			return err
		}
	default:
		return err
	}
	if !as.ExpiresAt.IsZero() {
		u.scheduleExpiry(as)
	}
	admins, err := u.tx.OrgAdmins(ctx, cust.ID, domain.RoleCustomerAdmin)
	if err != nil {
		return err
	}
	d := u.partnerData(ctx, s, usr, req.Role)
	d.ExpiresAt, d.Extension = as.ExpiresAt, req.Kind == domain.RequestExtension
	if err := u.announce(ctx, domain.NoticeAccessApproved, []string{cust.ID, usr.OrgID}, d, admins...); err != nil {
		return err
	}
	return u.notify(ctx, domain.NoticeAccessGranted, usr.OrgID, usr, d)
}

// DenyRequest refuses a pending request; the partner user is told, with
// the reason if one is given. Codes: not_found, forbidden, rule, invalid.
func (a *App) DenyRequest(ctx context.Context, act Actor, id, reason string) (req *domain.AccessRequest, err error) {
	err = a.write(ctx, act, func(u *unit) error {
		if err := u.because(reason); err != nil {
			return err
		}
		var s *domain.Site
		var cust *domain.Org
		if req, s, cust, err = u.pendingRequest(ctx, id); err != nil {
			return err
		}
		return u.deny(ctx, req, s, cust)
	})
	return req, err
}

func (u *unit) deny(ctx context.Context, req *domain.AccessRequest, s *domain.Site, cust *domain.Org) error {
	if err := u.closeRequest(ctx, req, domain.RequestDenied, time.Time{}, "access_request.deny", cust.ID); err != nil {
		return storeErrRule(err, "R-PARTNER-4", "this request was already answered")
	}
	usr, err := u.tx.User(ctx, domain.Everything, req.UserID)
	if err != nil {
		return err
	}
	d := u.partnerData(ctx, s, usr, req.Role)
	d.Reason = u.reason
	return u.announce(ctx, domain.NoticeAccessDenied, []string{usr.OrgID, cust.ID}, d, usr)
}

// LinkAction is what a single-use link from a notice asks for.
type LinkAction struct {
	Action   string // approve, deny or extend
	SiteName string
	UserName string
	OrgName  string
}

// InspectLink tells what a single-use link would do, without using it, so
// a page can ask for confirmation first. Codes: not_found.
func (a *App) InspectLink(ctx context.Context, token string) (la LinkAction, err error) {
	err = a.read(ctx, System, func(u *unit) error {
		_, la, err = u.inspectLink(ctx, identity.HashSecret(token))
		return err
	})
	return la, err
}

// inspectLink loads an unused link and describes what it would do.
func (u *unit) inspectLink(ctx context.Context, hash string) (*domain.AccessLink, LinkAction, error) {
	l, err := u.tx.AccessLinkByHash(ctx, hash, u.now)
	if err != nil {
		return nil, LinkAction{}, storeErrRule(err, "R-PARTNER-1", "this link is unknown, already used or expired")
	}
	siteID, userID := "", ""
	if l.RequestID != "" {
		req, err := u.tx.AccessRequest(ctx, domain.Everything, l.RequestID)
		if err != nil {
			return nil, LinkAction{}, err
		}
		siteID, userID = req.SiteID, req.UserID
	} else {
		as, err := u.tx.AssignmentByID(ctx, l.AssignmentID)
		if err != nil {
			return nil, LinkAction{}, storeErrRule(err, "R-PLUS-1", "this access has already ended")
		}
		siteID, userID = as.SiteID, as.UserID
	}
	s, err := u.tx.Site(ctx, domain.Everything, siteID)
	if err != nil {
		return nil, LinkAction{}, err
	}
	usr, err := u.tx.User(ctx, domain.Everything, userID)
	if err != nil {
		return nil, LinkAction{}, err
	}
	la := LinkAction{Action: l.Action, SiteName: s.Name, UserName: usr.Name}
	if p, err := u.tx.Org(ctx, domain.Everything, usr.OrgID); err == nil {
		la.OrgName = p.Name
	}
	return l, la, nil
}

// UseLink carries out a single-use link from a notice: approve or deny a
// request as the administrator it was mailed to, or ask to extend access
// as the partner user it was mailed to (R-PARTNER-1, R-PLUS-1). A used,
// unknown or expired link is refused. Codes: not_found, rule.
func (a *App) UseLink(ctx context.Context, remoteAddr, token string) (la LinkAction, err error) {
	hash := identity.HashSecret(token)
	var l *domain.AccessLink
	err = a.read(ctx, System, func(u *unit) error {
		l, la, err = u.inspectLink(ctx, hash)
		return err
	})
	if err != nil {
		return la, err
	}
	act, err := a.actorFor(ctx, l.UserID, remoteAddr)
	if err != nil {
		return la, err
	}
	err = a.write(ctx, act, func(u *unit) error {
		if err := u.tx.UseAccessLink(ctx, hash, u.now); err != nil {
			return storeErrRule(err, "R-PARTNER-1", "this link is unknown, already used or expired")
		}
		if l.Action == "extend" {
			as, err := u.tx.AssignmentByID(ctx, l.AssignmentID)
			if err != nil {
				return storeErrRule(err, "R-PLUS-1", "this access has already ended")
			}
			_, err = u.requestExtension(ctx, as)
			return err
		}
		req, s, cust, err := u.pendingRequest(ctx, l.RequestID)
		if err != nil {
			return err
		}
		if l.Action == "approve" {
			return u.approve(ctx, req, s, cust, 0)
		}
		return u.deny(ctx, req, s, cust)
	})
	return la, err
}

// actorFor acts as the user a link was mailed to, if that user may still
// act at all.
func (a *App) actorFor(ctx context.Context, userID, remoteAddr string) (Actor, error) {
	var act Actor
	err := a.read(ctx, System, func(u *unit) error {
		usr, err := u.tx.User(ctx, domain.Everything, userID)
		if err != nil {
			return err
		}
		if usr.State != domain.UserActive {
			return domain.RuleError(domain.EForbidden, "R-USER-5", "your account cannot act now")
		}
		org, err := u.orgOf(ctx, usr)
		act = Actor{User: usr, Org: org, RemoteAddr: remoteAddr}
		return err
	})
	return act, err
}
