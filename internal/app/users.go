package app

import (
	"context"
	"errors"
	"strings"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/mail"
)

// NewUser is what it takes to invite a user.
type NewUser struct {
	OrgID string
	Email string
	Name  string
	Roles []domain.Role
}

// Warning is advice about an accepted change (R-USER-3).
type Warning struct {
	Rule    string
	Message string
}

// CreateUser creates an invited user in an organisation and sends the
// invitation (R-USER-4). The user's type follows from the organisation
// (R-ROLE-3): operators may create users anywhere, an organisation's
// administrators in their own, and partner administrators also in their
// demo customer. Codes: not_found, forbidden, invalid, rule, conflict.
func (a *App) CreateUser(ctx context.Context, act Actor, in NewUser) (*domain.User, []Warning, error) {
	email, generic, err := a.emails.Check(in.Email)
	if err != nil {
		return nil, nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, nil, &domain.Error{Code: domain.EInvalid, Rule: "R-USER-1", Field: "name", Message: "every user is a named person: give a name"}
	}
	var usr *domain.User
	err = a.write(ctx, act, func(u *unit) error {
		o, err := u.loadOrg(ctx, in.OrgID)
		if err != nil {
			return err
		}
		if !act.administers(o) {
			if act.is(domain.RolePartnerAdmin) && o.Kind == domain.OrgCustomer {
				return domain.RuleError(domain.ERule, "R-ROLE-3",
					"partners never hold customer-type logins; only the partner's demo customer may have partner-made users")
			}
			return forbidden("R-ROLE-1", "only the organisation's administrators add its users")
		}
		typ := domain.TypeForOrg(o.Kind)
		roles, err := domain.ValidateRoles(typ, in.Roles)
		if err != nil {
			return err
		}
		usr = &domain.User{
			ID: domain.NewID("usr", u.now), OrgID: o.ID, Type: typ, Email: email, Name: name, Roles: roles,
			State: domain.UserInvited, Generic: generic, CreatedAt: u.now, UpdatedAt: u.now,
		}
		if err := u.createUser(ctx, usr); err != nil {
			return err
		}
		if o.MainContactID == "" {
			before := *o
			o.MainContactID = usr.ID
			if err := u.tx.UpdateOrg(ctx, o); err != nil {
				return err
			}
			if err := u.record(ctx, "org.update", "org", o.ID, o.ID, before, o); err != nil {
				return err
			}
		}
		_, err = u.invite(ctx, usr)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var warnings []Warning
	if generic {
		warnings = append(warnings, Warning{Rule: "R-USER-3", Message: email +
			" looks like a shared mailbox; users must be named people, and the audit will report it"})
	}
	return usr, warnings, nil
}

// createUser inserts usr and records it, turning a duplicate email into
// the R-USER-1 conflict.
func (u *unit) createUser(ctx context.Context, usr *domain.User) error {
	if err := u.tx.CreateUser(ctx, usr); err != nil {
		if errors.Is(err, domain.ErrUnique) {
			return emailTaken(usr.Email)
		}
		return err
	}
	return u.record(ctx, "user.create", "user", usr.ID, usr.OrgID, nil, usr)
}

func emailTaken(email string) error {
	return &domain.Error{Code: domain.EConflict, Rule: "R-USER-1", Field: "email",
		Message: email + " already belongs to another user; every user needs an email address of their own"}
}

// invite issues a fresh invitation link for usr and records its notice.
func (u *unit) invite(ctx context.Context, usr *domain.User) (link string, err error) {
	token := identity.NewSecret("inv")
	usr.InviteExpiresAt = u.now.Add(u.app.cfg.InvitationTTL)
	if err := u.tx.UpdateUser(ctx, usr); err != nil {
		return "", err
	}
	if err := u.tx.CreateInvitation(ctx, identity.HashSecret(token), usr.ID, usr.InviteExpiresAt, u.now); err != nil {
		return "", err
	}
	link = u.app.cfg.BaseURL + "/invitations/" + token
	d := mail.Data{UserName: usr.Name, UserEmail: usr.Email, Link: link, ExpiresAt: usr.InviteExpiresAt}
	if err := u.announce(ctx, domain.NoticeInvitation, []string{usr.OrgID}, d, usr); err != nil {
		return "", err
	}
	// With no mail server the invitation reaches nobody but the mailbox:
	// the person who invited is given the link to pass on (R-USER-4).
	if by := u.act.User; u.app.cfg.MailLocal && by != nil && by.ID != usr.ID {
		return link, u.notify(ctx, domain.NoticeInvitationToPass, usr.OrgID, by, d)
	}
	return link, nil
}

// User returns a user the actor may see. Codes: not_found.
func (a *App) User(ctx context.Context, act Actor, id string) (usr *domain.User, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		usr, _, err = u.loadUser(ctx, id)
		return err
	})
	return usr, err
}

// Users lists the users of an organisation the actor may see. Operators
// may leave OrgID unset to list everyone. Codes: not_found, invalid.
func (a *App) Users(ctx context.Context, act Actor, f domain.UserFilter) (out domain.List[*domain.User], err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if f.OrgID == nil {
			if !act.IsOperator() && act.User != nil { // the system, like operators, lists everyone
				f.OrgID = &act.Org.ID
			}
		} else {
			o, err := u.loadOrg(ctx, *f.OrgID)
			if err != nil {
				return err
			}
			if !act.seesUsersOf(o) {
				return domain.NotFound("organisation")
			}
		}
		out, err = u.tx.Users(ctx, f)
		return err
	})
	return out, err
}

// adminUnit loads a user that the actor administers.
func (u *unit) adminUser(ctx context.Context, id string) (*domain.User, *domain.Org, error) {
	usr, o, err := u.loadUser(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if usr.State == domain.UserDeleted {
		return nil, nil, domain.NotFound("user")
	}
	if !u.act.administers(o) {
		return nil, nil, forbidden("R-USER-6", "only the organisation's administrators manage its users")
	}
	return usr, o, nil
}

// keepsAnAdmin refuses a change that would leave the organisation without
// an administrator (R-ROLE-5).
func (u *unit) keepsAnAdmin(ctx context.Context, usr *domain.User, what string) error {
	admin := domain.AdminRole(usr.Type)
	if admin == "" || !usr.HasRole(admin) {
		return nil
	}
	n, err := u.tx.CountAdmins(ctx, usr.OrgID, admin, usr.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.RuleError(domain.ERule, "R-ROLE-5",
			"%s is the organisation's last administrator and cannot be %s; add another administrator first", usr.Email, what)
	}
	return nil
}
