package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/provisio/provisio/internal/domain"
)

// Provisioning from the organisation's own directory (R-APP-4). The
// identity provider creates, changes, deactivates and deletes the
// organisation's users through SCIM; every SPEC user rule still applies,
// and a refusal names its rule.

// SCIMUserInput is a user resource as the identity provider sent it.
type SCIMUserInput struct {
	domain.SCIMUser
}

// SCIMUserView is a provisioned user with its portal user.
type SCIMUserView struct {
	*domain.SCIMUser
	User *domain.User
}

// errSiteWrites refuses writes other than linking from a site's
// application (R-APP-1).
var errSiteWrites = domain.RuleError(domain.EForbidden, "R-APP-1",
	"a site token reads the site's users and may set externalId only; users are managed in the portal")

// scimWrite runs a write of an organisation's identity provider.
func (a *App) scimWrite(ctx context.Context, c SCIMClient, fn func(u *unit) error) error {
	if c.IsSite() {
		return errSiteWrites
	}
	return a.writeEnrolling(ctx, c.act, fn)
}

// SCIMCreateUser provisions a user (R-APP-4). The userName, when it is an
// email address, or else the primary email becomes the user's email
// (R-USER-1, R-USER-2); a person of the organisation who was added by
// hand with that email is taken over rather than duplicated. Where the
// organisation signs in through its own OpenID provider the user is
// active at once; otherwise it is invited (R-USER-4). Codes: invalid,
// rule, conflict.
func (a *App) SCIMCreateUser(ctx context.Context, c SCIMClient, in SCIMUserInput) (*SCIMUserView, error) {
	email, generic, err := a.scimEmail(in.SCIMUser)
	if err != nil {
		return nil, err
	}
	var out *SCIMUserView
	err = a.scimWrite(ctx, c, func(u *unit) error {
		o := c.org
		usr, err := u.tx.UserByEmail(ctx, email)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			usr = nil
		case err != nil:
			return err
		case usr.OrgID != o.ID:
			return emailTaken(email)
		default:
			if held, err := u.tx.IsProvisioned(ctx, usr.ID); err != nil {
				return err
			} else if held {
				return emailTaken(email)
			}
		}
		sso, err := u.signsInElsewhere(ctx, o.ID, email)
		if err != nil {
			return err
		}
		if usr == nil {
			usr = &domain.User{ID: domain.NewID("usr", u.now), OrgID: o.ID, Type: domain.TypeForOrg(o.Kind), Email: email,
				Name: scimName(in.SCIMUser), Roles: []domain.Role{baseRole(o.Kind)}, State: domain.UserInvited,
				Generic: generic, CreatedAt: u.now, UpdatedAt: u.now}
			if !in.Active {
				usr.State = domain.UserLocked
			} else if sso {
				usr.State = domain.UserActive // the identity provider vouches for the person
			}
			if err := u.createUser(ctx, usr); err != nil {
				return err
			}
			if usr.State == domain.UserInvited {
				if _, err := u.invite(ctx, usr); err != nil {
					return err
				}
			}
		} else if !in.Active { // taken over: a person locked by hand stays locked
			if err := u.scimActivate(ctx, usr, false, sso); err != nil {
				return err
			}
		}
		su := in.SCIMUser
		su.UserID, su.OrgID, su.Version, su.CreatedAt, su.UpdatedAt = usr.ID, o.ID, 1, u.now, u.now
		if err := u.tx.PutSCIMUser(ctx, &su); err != nil {
			if errors.Is(err, domain.ErrUnique) {
				return userNameTaken(su.UserName)
			}
			return err
		}
		if err := u.record(ctx, "scim_user.create", "user", usr.ID, o.ID, nil, scimAudit(&su)); err != nil {
			return err
		}
		out = &SCIMUserView{SCIMUser: &su, User: usr}
		return nil
	})
	return out, err
}

// SCIMUser returns one of the organisation's provisioned users. Codes:
// not_found.
func (a *App) SCIMUser(ctx context.Context, c SCIMClient, id string) (out *SCIMUserView, err error) {
	err = a.readEnrolling(ctx, c.act, func(u *unit) error {
		out, err = u.scimUser(ctx, c, id)
		return err
	})
	if err == nil {
		err = a.recordRead(ctx, c, "user", id, map[string]any{"resource": "User"})
	}
	return out, err
}

func (u *unit) scimUser(ctx context.Context, c SCIMClient, id string) (*SCIMUserView, error) {
	su, err := u.tx.SCIMUser(ctx, c.org.ID, id)
	if err != nil {
		return nil, storeErr(err, "user", id)
	}
	usr, err := u.tx.User(ctx, domain.Everything, id)
	if err != nil {
		return nil, storeErr(err, "user", id)
	}
	return &SCIMUserView{SCIMUser: su, User: usr}, nil
}

// SCIMUsers lists the organisation's provisioned users matching q, with
// the number of all matches. Codes: invalid (a filter it cannot apply).
func (a *App) SCIMUsers(ctx context.Context, c SCIMClient, q domain.SCIMQuery) (out []*domain.SCIMUser, total int, err error) {
	err = a.readEnrolling(ctx, c.act, func(u *unit) error {
		out, total, err = u.tx.SCIMUsers(ctx, c.org.ID, q)
		return err
	})
	if err == nil {
		err = a.recordRead(ctx, c, "org", c.org.ID, listDetail("Users", q, total))
	}
	return out, total, err
}

// SCIMReplaceUser replaces a provisioned user's attributes (PUT, and PATCH
// once applied). version, when not zero, must be the current one (ETag
// with If-Match). A change of email follows R-USER-6; active false locks
// the user at once (R-USER-5), and the last administrator stays
// (R-ROLE-5). Codes: not_found, invalid, rule, conflict, precondition.
func (a *App) SCIMReplaceUser(ctx context.Context, c SCIMClient, id string, version int64, in SCIMUserInput) (*SCIMUserView, error) {
	email, _, err := a.scimEmail(in.SCIMUser)
	if err != nil {
		return nil, err
	}
	var out *SCIMUserView
	err = a.scimWrite(ctx, c, func(u *unit) error {
		cur, err := u.scimUser(ctx, c, id)
		if err != nil {
			return err
		}
		if err := checkVersion(version, cur.Version); err != nil {
			return err
		}
		usr, before := cur.User, *cur.User
		sso, err := u.signsInElsewhere(ctx, usr.OrgID, email)
		if err != nil {
			return err
		}
		usr.Name = scimName(in.SCIMUser)
		// Only what the provider changed is applied: an address it sent
		// before (perhaps awaiting confirmation, R-USER-6) is not asked
		// again, and a lock made by hand stays until the provider itself
		// turns the user off and on.
		if prev, _, _ := u.app.scimEmail(*cur.SCIMUser); email != usr.Email && email != prev {
			if err := u.scimChangeEmail(ctx, usr, email, sso); err != nil {
				return err
			}
		}
		if in.Active != cur.Active {
			if err := u.scimActivate(ctx, usr, in.Active, sso); err != nil {
				return err
			}
		}
		usr.UpdatedAt = u.now
		if err := u.tx.UpdateUser(ctx, usr); err != nil {
			return storeErrRule(err, "R-USER-1", email+" already belongs to another user")
		}
		if err := u.record(ctx, "user.update", "user", usr.ID, usr.OrgID, before, usr); err != nil {
			return err
		}
		su := in.SCIMUser
		su.UserID, su.OrgID, su.Version, su.CreatedAt, su.UpdatedAt = usr.ID, usr.OrgID, cur.Version+1, cur.CreatedAt, u.now
		if err := u.tx.PutSCIMUser(ctx, &su); err != nil {
			if errors.Is(err, domain.ErrUnique) {
				return userNameTaken(su.UserName)
			}
			return err
		}
		if err := u.record(ctx, "scim_user.update", "user", usr.ID, usr.OrgID, scimAudit(cur.SCIMUser), scimAudit(&su)); err != nil {
			return err
		}
		su.Groups = cur.Groups
		out = &SCIMUserView{SCIMUser: &su, User: usr}
		return nil
	})
	return out, err
}

// SCIMDeleteUser deletes a provisioned user (R-USER-5); the last
// administrator stays (R-ROLE-5). Codes: not_found, rule, precondition.
func (a *App) SCIMDeleteUser(ctx context.Context, c SCIMClient, id string, version int64) error {
	return a.scimWrite(ctx, c, func(u *unit) error {
		cur, err := u.scimUser(ctx, c, id)
		if err != nil {
			return err
		}
		if err := checkVersion(version, cur.Version); err != nil {
			return err
		}
		usr, before := cur.User, *cur.User
		if err := u.remove(ctx, usr); err != nil {
			return err
		}
		usr.UpdatedAt = u.now
		if err := u.tx.UpdateUser(ctx, usr); err != nil {
			return err
		}
		if err := u.record(ctx, "user.delete", "user", usr.ID, usr.OrgID, before, usr); err != nil {
			return err
		}
		return u.record(ctx, "scim_user.delete", "user", usr.ID, usr.OrgID, scimAudit(cur.SCIMUser), nil)
	})
}

// scimActivate brings the user's state in line with the identity
// provider's active flag: false locks it at once (R-USER-5; an invited
// user's invitation stops working), true unlocks it, back to invited
// when the person never registered and cannot sign in through the
// organisation's provider.
func (u *unit) scimActivate(ctx context.Context, usr *domain.User, active, sso bool) error {
	switch {
	case !active && usr.State == domain.UserInvited:
		if err := u.keepsAnAdmin(ctx, usr, "deactivated"); err != nil {
			return err
		}
		usr.State = domain.UserLocked
		return u.tx.CloseInvitations(ctx, usr.ID, u.now)
	case !active && usr.State == domain.UserActive:
		return u.lock(ctx, usr)
	case active && usr.State == domain.UserLocked:
		hash, err := u.tx.PasswordHash(ctx, usr.ID)
		if err != nil {
			return err
		}
		if hash != "" || sso {
			usr.State = domain.UserActive
			return nil
		}
		usr.State = domain.UserInvited
		_, err = u.invite(ctx, usr)
		return err
	}
	return nil
}

// scimChangeEmail changes a provisioned user's email: at once where the
// organisation's own provider vouches for its people, otherwise by the
// usual verification of the new address (R-USER-6).
func (u *unit) scimChangeEmail(ctx context.Context, usr *domain.User, email string, sso bool) error {
	if other, err := u.tx.UserByEmail(ctx, email); err == nil && other.ID != usr.ID {
		return emailTaken(email)
	} else if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	if sso || usr.State == domain.UserInvited {
		usr.Email = email // an invited user proves the address by registering
		return nil
	}
	return u.requestEmailChange(ctx, usr, email)
}

// signsInElsewhere reports whether the person with email signs in
// through the organisation's own OpenID provider: the organisation has
// one, and the address is in a domain it proved it holds.
func (u *unit) signsInElsewhere(ctx context.Context, orgID, email string) (bool, error) {
	if _, err := u.tx.OIDCProvider(ctx, orgID); errors.Is(err, domain.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	d, err := u.tx.SSODomain(ctx, orgID, email[indexAt(email)+1:])
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return d.Verified(), nil
}

// scimEmail is the email a provisioned user gets: the userName when it is
// an address, else the primary email, else the first work email, else
// the first (R-USER-1, R-USER-2).
func (a *App) scimEmail(su domain.SCIMUser) (string, bool, error) {
	if strings.TrimSpace(su.UserName) == "" {
		return "", false, &domain.Error{Code: domain.EInvalid, Field: "userName", Message: "userName is required"}
	}
	if strings.Contains(su.UserName, "@") {
		return a.emails.Check(su.UserName)
	}
	pick := slices.IndexFunc(su.Emails, func(e domain.SCIMEmail) bool { return e.Primary })
	if pick < 0 {
		pick = slices.IndexFunc(su.Emails, func(e domain.SCIMEmail) bool { return strings.EqualFold(e.Type, "work") })
	}
	if pick < 0 && len(su.Emails) > 0 {
		pick = 0
	}
	if pick < 0 {
		return "", false, &domain.Error{Code: domain.EInvalid, Rule: "R-USER-1", Field: "emails",
			Message: "every user needs an email address of its own: give an email as userName or in emails"}
	}
	email, generic, err := a.emails.Check(su.Emails[pick].Value)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			e := *de
			e.Field = "emails"
			return "", false, &e
		}
	}
	return email, generic, err
}

// scimName is the person's name from the resource (R-USER-1).
func scimName(su domain.SCIMUser) string {
	for _, n := range []string{su.DisplayName, su.Formatted, strings.TrimSpace(su.GivenName + " " + su.FamilyName), su.UserName} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return su.UserName
}

// baseRole is the role a provisioned user holds when no group gives it
// another.
func baseRole(k domain.OrgKind) domain.Role {
	if k == domain.OrgPartner {
		return domain.RolePartnerAgent
	}
	return domain.RoleCustomerUser
}

func userNameTaken(name string) error {
	return &domain.Error{Code: domain.EConflict, Field: "userName",
		Message: "userName " + name + " is already provisioned in this organisation"}
}

// checkVersion refuses a change made against a version that is no longer
// current (If-Match).
func checkVersion(want, have int64) error {
	if want != 0 && want != have {
		return &domain.Error{Code: domain.EPrecondition, Message: "the resource changed since it was read; read it again"}
	}
	return nil
}

// scimAudit is what the activity log keeps of a provisioned user.
func scimAudit(su *domain.SCIMUser) map[string]any {
	return map[string]any{"userName": su.UserName, "externalId": su.ExternalID, "displayName": su.DisplayName,
		"active": su.Active, "emails": su.Emails}
}

// Managed says which of a user's details the organisation's identity
// provider owns (R-APP-4): those cannot be changed by hand.
type Managed struct {
	Details bool // name and email
	Roles   bool // roles, where groups are mapped to roles
}

// managed reads what the identity provider owns of usr.
func (u *unit) managed(ctx context.Context, usr *domain.User) (Managed, error) {
	held, err := u.tx.IsProvisioned(ctx, usr.ID)
	if err != nil || !held {
		return Managed{}, err
	}
	mapping, err := u.tx.GroupRoles(ctx, usr.OrgID)
	return Managed{Details: true, Roles: len(mapping) > 0}, err
}

// idpOwns refuses a hand change of what the identity provider owns.
func (u *unit) idpOwns(ctx context.Context, usr *domain.User, upd domain.UserUpdate, newEmail string) error {
	m, err := u.managed(ctx, usr)
	if err != nil {
		return err
	}
	refuse := func(what string) error {
		return domain.RuleError(domain.ERule, "R-APP-4",
			"%s's %s comes from the organisation's identity provider; change it there", usr.Name, what)
	}
	switch {
	case m.Details && upd.Name != nil && trimmed(*upd.Name) != usr.Name:
		return refuse("name")
	case m.Details && newEmail != "" && newEmail != usr.Email:
		return refuse("email")
	case m.Roles && upd.Roles != nil && !slices.Equal(sortedRoles(upd.Roles), sortedRoles(usr.Roles)):
		return refuse("roles (its groups give them)")
	}
	return nil
}

// UserView is a user with what the identity provider owns of it, and
// why it is a break-glass account ("" if it is not; R-PLUS-4).
type UserView struct {
	User       *domain.User
	Managed    Managed
	BreakGlass string
}

// UserView returns a user the actor may see, with what its identity
// provider owns. Codes: not_found.
func (a *App) UserView(ctx context.Context, act Actor, id string) (v UserView, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		if v.User, _, err = u.loadUser(ctx, id); err != nil {
			return err
		}
		if v.Managed, err = u.managed(ctx, v.User); err != nil {
			return err
		}
		v.BreakGlass, err = u.tx.DormancyExemption(ctx, v.User.ID)
		return err
	})
	return v, err
}
