package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/mail"
)

// assignable refuses users that are not active (R-ASSIGN-1), saying why.
func assignable(usr *domain.User) error {
	switch usr.State {
	case domain.UserActive:
		return nil
	case domain.UserInvited:
		return domain.RuleError(domain.ERule, "R-ASSIGN-1",
			"%s has not registered yet (Inactive); only active users can be assigned", usr.Email)
	case domain.UserLocked:
		return domain.RuleError(domain.ERule, "R-ASSIGN-1", "%s is locked; unlock the user before assigning it", usr.Email)
	}
	return domain.RuleError(domain.ERule, "R-ASSIGN-1", "%s is deleted and cannot be assigned", usr.Email)
}

// siteRoles are the roles with which a customer's user can use a site.
var siteRoles = []domain.Role{domain.RoleCustomerAdmin, domain.RoleCustomerOps, domain.RoleCustomerUser}

// siteRole picks the role a user will have on a site (R-ROLE-4): the one
// asked for, which the user must hold, or the user's only site role.
func siteRole(usr *domain.User, asked domain.Role) (domain.Role, error) {
	var held []string
	for _, r := range siteRoles {
		if usr.HasRole(r) {
			held = append(held, string(r))
		}
	}
	switch {
	case asked != "" && usr.HasRole(asked) && slices.Contains(siteRoles, asked):
		return asked, nil
	case asked != "":
		return "", domain.RuleError(domain.EInvalid, "R-ROLE-4", "%s does not hold the role %s; it holds %s",
			usr.Email, asked, strings.Join(held, ", "))
	case len(held) == 1:
		return domain.Role(held[0]), nil
	case len(held) == 0:
		return "", domain.RuleError(domain.ERule, "R-ROLE-4", "%s holds no role that can use a site", usr.Email)
	}
	return "", &domain.Error{Code: domain.EInvalid, Rule: "R-ROLE-4", Field: "role",
		Message: fmt.Sprintf("%s holds several roles (%s): choose the role for this site", usr.Email, strings.Join(held, ", "))}
}

// AssignUser assigns one of the customer's active users to its site with
// one role, and tells the customer's administrators (R-ASSIGN-1, R-ASSIGN-2).
// Only the customer's administrators assign users; operators never do
// (R-ROLE-1), and partner users reach sites through partner access
// (R-PARTNER-1). Codes: not_found, forbidden, rule, invalid, conflict.
func (a *App) AssignUser(ctx context.Context, act Actor, siteID, userID string, role domain.Role) (*domain.Assignment, error) {
	var as *domain.Assignment
	err := a.write(ctx, act, func(u *unit) error {
		s, cust, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		switch {
		case act.IsOperator():
			return forbidden("R-ROLE-1", "operators never add users to a site; the customer's administrators do")
		case !act.sitePermissions(s, cust).AssignUsers:
			return forbidden("R-ASSIGN-2", "only the customer's administrators assign users to its sites")
		}
		usr, _, err := u.loadUser(ctx, userID)
		if err != nil {
			return err
		}
		if usr.OrgID != cust.ID {
			if usr.Type == domain.TypePartner {
				return domain.RuleError(domain.ERule, "R-PARTNER-1",
					"partner users reach customer sites through partner access, which the customer approves")
			}
			return domain.RuleError(domain.ERule, "R-ROLE-3", "%s is not a user of the site's customer", usr.Email)
		}
		if err := assignable(usr); err != nil {
			return err
		}
		if s.State != domain.SiteReady && s.State != domain.SiteSuspended {
			return domain.RuleError(domain.ERule, "R-SITE-2", "site %s is %s; users can be assigned to ready sites", s.ID, s.State)
		}
		r, err := siteRole(usr, role)
		if err != nil {
			return err
		}
		as = &domain.Assignment{ID: domain.NewID("asg", u.now), SiteID: s.ID, UserID: usr.ID, Role: r,
			Via: domain.ViaMember, CreatedBy: act.userID(), CreatedAt: u.now}
		if err := u.tx.CreateAssignment(ctx, as); err != nil {
			if errors.Is(err, domain.ErrUnique) {
				return &domain.Error{Code: domain.EConflict, Message: usr.Email + " is already assigned to site " + s.ID}
			}
			return err
		}
		if err := u.record(ctx, "assignment.create", "assignment", as.ID, cust.ID, nil, as); err != nil {
			return err
		}
		return u.notifyUserAdded(ctx, s, usr, r)
	})
	if err != nil {
		return nil, err
	}
	return as, nil
}

// notifyUserAdded tells each active administrator of the site's customer
// that a user was added (R-ASSIGN-2).
func (u *unit) notifyUserAdded(ctx context.Context, s *domain.Site, usr *domain.User, r domain.Role) error {
	admins, err := u.tx.OrgAdmins(ctx, s.CustomerID, domain.RoleCustomerAdmin)
	if err != nil {
		return err
	}
	return u.announce(ctx, domain.NoticeUserAdded, []string{s.CustomerID}, siteData(u, s, usr, r), admins...)
}

// siteData is the notice data about a user and a site.
func siteData(u *unit, s *domain.Site, usr *domain.User, r domain.Role) mail.Data {
	return mail.Data{UserName: usr.Name, UserEmail: usr.Email, SiteName: s.Name, SiteID: s.ID, Role: string(r),
		Link: u.app.cfg.BaseURL + "/sites/" + s.ID}
}

// UnassignUser removes a user from a site and from the site's companies;
// the user stays in its organisation and can be assigned again
// (R-ASSIGN-3). The reason, if given, goes in the activity log. Codes:
// not_found, forbidden, invalid.
func (a *App) UnassignUser(ctx context.Context, act Actor, siteID, userID, reason string) error {
	return a.write(ctx, act, func(u *unit) error {
		if err := u.because(reason); err != nil {
			return err
		}
		s, cust, err := u.siteAndUser(ctx, siteID, userID)
		if err != nil {
			return err
		}
		if !act.sitePermissions(s, cust).AssignUsers {
			return forbidden("R-ASSIGN-3", "only the customer's administrators remove users from its sites")
		}
		as, err := u.tx.Assignment(ctx, s.ID, userID)
		if err != nil {
			return storeErr(err, "assignment of user", userID)
		}
		if err := u.tx.DeleteAssignment(ctx, s.ID, userID, u.now); err != nil {
			return err
		}
		return u.record(ctx, "assignment.delete", "assignment", as.ID, cust.ID, as, nil)
	})
}

// SiteUsers lists a site's dashboard (R-SITE-4): its users, their role on
// the site, how they got access and their state. The site's customer and
// operators see it. Codes: not_found, forbidden.
func (a *App) SiteUsers(ctx context.Context, act Actor, siteID string, p domain.Page) (out domain.List[*domain.SiteUser], err error) {
	err = a.read(ctx, act, func(u *unit) error {
		s, cust, err := u.loadSite(ctx, siteID)
		if err != nil {
			return err
		}
		if !act.sitePermissions(s, cust).SeeUsers {
			return forbidden("R-SITE-4", "only the customer and operators see the site's users")
		}
		out, err = u.tx.SiteUsers(ctx, siteID, u.now, p)
		return err
	})
	return out, err
}

// SiteMember returns a site the actor sees and one of the people assigned
// to it, for a page that names them. Anyone else, and anyone outside the
// actor's view, is "not found" (R-ORG-1). Codes: not_found.
func (a *App) SiteMember(ctx context.Context, act Actor, siteID, userID string) (s *domain.Site, usr *domain.User, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if s, _, err = u.loadSite(ctx, siteID); err != nil {
			return err
		}
		if usr, err = u.siteUser(ctx, s, userID); err != nil {
			return err
		}
		if _, err := u.tx.Assignment(ctx, s.ID, usr.ID); err != nil {
			return storeErr(err, "user on the site", userID)
		}
		return nil
	})
	return s, usr, err
}
