package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// Accountants are external people with no organisation of their own,
// assigned to sites by the customers they work for (SPEC section 7).

// AccountantResult is what assigning an accountant led to: an assignment
// for a registered accountant, or an invitation for a new one.
type AccountantResult struct {
	User       *domain.User
	Assignment *domain.Assignment // nil while the accountant has not registered
	Invited    bool
}

// FindAccountant looks an accountant up by email for a customer's
// administrator (R-ACCT-2). Anyone who is not an accountant answers "not
// found". Codes: forbidden, not_found, invalid.
func (a *App) FindAccountant(ctx context.Context, act Actor, email string) (usr *domain.User, err error) {
	if !act.Can().FindAccountants {
		return nil, forbidden("R-ACCT-2", "only customer administrators look accountants up")
	}
	email = domain.NormalizeEmail(email)
	err = a.read(ctx, act, func(u *unit) error {
		usr, err = u.tx.UserByEmail(ctx, email)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("find accountant %s: %w", email, err)
		}
		if err != nil || usr.Type != domain.TypeAccountant {
			return domain.RuleError(domain.ENotFound, "R-ACCT-2", "no accountant with the email %s", email)
		}
		return nil
	})
	return usr, err
}

// AssignAccountant assigns an accountant to a ready site of the customer
// (R-ACCT-1). A known, active accountant is assigned and told at once; an
// unknown email becomes an invited accountant, assigned when it registers
// (R-ACCT-2). The customer's administrators are told of every assignment
// (R-ASSIGN-2). Codes: not_found, forbidden, rule, invalid, conflict.
func (a *App) AssignAccountant(ctx context.Context, act Actor, siteID, email, name string) (res AccountantResult, err error) {
	email, generic, err := a.emails.Check(email)
	if err != nil {
		return res, err
	}
	err = a.write(ctx, act, func(u *unit) error {
		s, cust, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		if act.User == nil || !act.sitePermissions(s, cust).AssignAccountants {
			return forbidden("R-ACCT-2", "only the customer's administrators assign accountants")
		}
		if s.State != domain.SiteReady {
			return domain.RuleError(domain.ERule, "R-ACCT-1", "site %s is %s; accountants are assigned to ready sites only", s.ID, s.State)
		}
		usr, err := u.tx.UserByEmail(ctx, email)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			if name = trimmed(name); name == "" {
				return &domain.Error{Code: domain.EInvalid, Rule: "R-USER-1", Field: "name",
					Message: "no accountant has this email yet: give the person's name to invite them"}
			}
			usr = &domain.User{ID: domain.NewID("usr", u.now), Type: domain.TypeAccountant, Email: email, Name: name,
				Roles: []domain.Role{domain.RoleAccountant}, State: domain.UserInvited, Generic: generic, CreatedAt: u.now, UpdatedAt: u.now}
			if err := u.createUser(ctx, usr); err != nil {
				return err
			}
			fallthrough
		case err == nil && usr.State == domain.UserInvited:
			if usr.Type != domain.TypeAccountant {
				return notAccountant(usr)
			}
			res.User, res.Invited = usr, true
			return u.inviteAccountant(ctx, usr, s, cust)
		case err != nil:
			return err
		case usr.Type != domain.TypeAccountant:
			return notAccountant(usr)
		}
		if err := assignable(usr); err != nil {
			return err
		}
		res.User = usr
		res.Assignment, err = u.assignAccountant(ctx, usr, s, cust)
		return err
	})
	return res, err
}

// notAccountant refuses an email that is not an accountant's, alike for
// every kind of user, so that a customer learns nothing of who holds it.
func notAccountant(usr *domain.User) error {
	return domain.RuleError(domain.ERule, "R-ROLE-3", "%s cannot be assigned as an accountant; ask the person for the email they use as an accountant", usr.Email)
}

// inviteAccountant sends an accountant an invitation that names the site
// it will be assigned to on registering.
func (u *unit) inviteAccountant(ctx context.Context, usr *domain.User, s *domain.Site, cust *domain.Org) error {
	if err := u.tx.CreateAccountantInvite(ctx, s.ID, usr.ID, u.act.userID(), u.now); err != nil {
		return err
	}
	token := identity.NewSecret("inv")
	usr.InviteExpiresAt, usr.UpdatedAt = u.now.Add(u.app.cfg.InvitationTTL), u.now
	if err := u.tx.UpdateUser(ctx, usr); err != nil {
		return err
	}
	if err := u.tx.CreateInvitation(ctx, identity.HashSecret(token), usr.ID, usr.InviteExpiresAt, u.now); err != nil {
		return err
	}
	if err := u.record(ctx, "accountant.invite", "user", usr.ID, cust.ID, nil, map[string]string{"site_id": s.ID, "email": usr.Email}); err != nil {
		return err
	}
	d := siteData(u, s, usr, domain.RoleAccountant)
	d.OrgName, d.Link, d.ExpiresAt = cust.Name, u.app.cfg.BaseURL+"/invitations/"+token, usr.InviteExpiresAt
	return u.announce(ctx, domain.NoticeAccountantInvited, []string{cust.ID}, d, usr)
}

// assignAccountant assigns a registered accountant and tells it and the
// customer's administrators.
func (u *unit) assignAccountant(ctx context.Context, usr *domain.User, s *domain.Site, cust *domain.Org) (*domain.Assignment, error) {
	as := &domain.Assignment{ID: domain.NewID("asg", u.now), SiteID: s.ID, UserID: usr.ID, Role: domain.RoleAccountant,
		Via: domain.ViaAccountant, CreatedBy: u.act.userID(), CreatedAt: u.now}
	if err := u.tx.CreateAssignment(ctx, as); err != nil {
		if errors.Is(err, domain.ErrUnique) {
			return nil, &domain.Error{Code: domain.EConflict, Message: usr.Email + " is already assigned to site " + s.ID}
		}
		return nil, err
	}
	if err := u.record(ctx, "assignment.create", "assignment", as.ID, cust.ID, nil, as); err != nil {
		return nil, err
	}
	d := siteData(u, s, usr, domain.RoleAccountant)
	d.OrgName = cust.Name
	if err := u.notify(ctx, domain.NoticeAccountantAssigned, cust.ID, usr, d); err != nil {
		return nil, err
	}
	return as, u.notifyUserAdded(ctx, s, usr, domain.RoleAccountant)
}

// assignWaitingSites assigns a newly registered accountant to the ready
// sites that invited it (R-ACCT-2).
func (u *unit) assignWaitingSites(ctx context.Context, usr *domain.User) error {
	sites, err := u.tx.TakeAccountantInvites(ctx, usr.ID)
	if err != nil {
		return err
	}
	for siteID := range sites {
		s, err := u.tx.Site(ctx, domain.Everything, siteID)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("site %s of accountant invitation: %w", siteID, err)
		}
		if err != nil || s.State != domain.SiteReady {
			continue // the site went away or is not ready: R-ACCT-1
		}
		cust, err := u.tx.Org(ctx, domain.Everything, s.CustomerID)
		if err != nil {
			return err
		}
		if _, err := u.assignAccountant(ctx, usr, s, cust); err != nil && domain.ErrorCode(err) != domain.EConflict {
			return err
		}
	}
	return nil
}
