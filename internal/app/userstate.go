package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/mail"
)

// UpdateUser changes a user's name, email or roles (R-USER-6). A new email
// of a registered user takes effect only when the person confirms it from
// the new address; an invited user's invitation is sent again to the new
// address instead. Demoting the last administrator is refused (R-ROLE-5).
// Codes: not_found, forbidden, invalid, rule, conflict.
func (a *App) UpdateUser(ctx context.Context, act Actor, id string, upd domain.UserUpdate) (usr *domain.User, pending string, err error) {
	var newEmail string
	if upd.Email != nil {
		var err error
		if newEmail, _, err = a.emails.Check(*upd.Email); err != nil {
			return nil, "", err
		}
	}
	err = a.write(ctx, act, func(u *unit) error {
		var err error
		if usr, _, err = u.adminUser(ctx, id); err != nil {
			return err
		}
		before := *usr
		if err := u.idpOwns(ctx, usr, upd, newEmail); err != nil {
			return err
		}
		if upd.Name != nil {
			if usr.Name = trimmed(*upd.Name); usr.Name == "" {
				return &domain.Error{Code: domain.EInvalid, Rule: "R-USER-1", Field: "name", Message: "every user is a named person: give a name"}
			}
		}
		if upd.Roles != nil {
			roles, err := domain.ValidateRoles(usr.Type, upd.Roles)
			if err != nil {
				return err
			}
			if admin := domain.AdminRole(usr.Type); usr.HasRole(admin) && !slices.Contains(roles, admin) {
				if err := u.keepsAnAdmin(ctx, usr, "demoted"); err != nil {
					return err
				}
			}
			usr.Roles = roles
		}
		emailChanges := newEmail != "" && newEmail != usr.Email
		if emailChanges {
			if other, err := u.tx.UserByEmail(ctx, newEmail); err == nil && other.ID != usr.ID {
				return emailTaken(newEmail)
			} else if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return err
			}
		}
		if emailChanges && usr.State == domain.UserInvited {
			usr.Email = newEmail
			usr.Generic = domain.IsGenericLocalPart(newEmail[:indexAt(newEmail)])
		}
		usr.UpdatedAt = u.now
		if err := u.tx.UpdateUser(ctx, usr); err != nil {
			if errors.Is(err, domain.ErrUnique) {
				return emailTaken(usr.Email)
			}
			return err
		}
		if err := u.record(ctx, "user.update", "user", usr.ID, usr.OrgID, before, usr); err != nil {
			return err
		}
		switch {
		case emailChanges && usr.State == domain.UserInvited:
			_, err = u.invite(ctx, usr)
		case emailChanges:
			pending = newEmail
			err = u.requestEmailChange(ctx, usr, newEmail)
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return usr, pending, nil
}

// indexAt is the position of the "@" in a checked address.
func indexAt(s string) int { return strings.LastIndexByte(s, '@') }

func (u *unit) requestEmailChange(ctx context.Context, usr *domain.User, newEmail string) error {
	token := identity.NewSecret("eml")
	if err := u.tx.CreateEmailChange(ctx, identity.HashSecret(token), usr.ID, newEmail,
		u.now.Add(u.app.cfg.InvitationTTL), u.now); err != nil {
		return err
	}
	to := *usr
	to.Email = newEmail
	if err := u.notify(ctx, domain.NoticeEmailChange, usr.OrgID, &to, mail.Data{UserName: usr.Name, UserEmail: newEmail,
		Link: u.app.cfg.BaseURL + "/email-changes/" + token, ExpiresAt: u.now.Add(u.app.cfg.InvitationTTL)}); err != nil {
		return err
	}
	return u.record(ctx, "user.email_change_requested", "user", usr.ID, usr.OrgID, nil, map[string]string{"new_email": newEmail})
}

// ConfirmEmailChange applies a pending email change from its emailed
// token (R-USER-6). Codes: not_found (unknown, used or expired), conflict.
func (a *App) ConfirmEmailChange(ctx context.Context, act Actor, token string) (*domain.User, error) {
	var usr *domain.User
	err := a.write(ctx, act, func(u *unit) error {
		userID, newEmail, err := u.tx.UseEmailChange(ctx, identity.HashSecret(token), u.now)
		if err != nil {
			return storeErrRule(err, "R-USER-6", "this email confirmation link is unknown, used or expired")
		}
		if usr, err = u.tx.User(ctx, domain.Everything, userID); err != nil {
			return err
		}
		if usr.State == domain.UserDeleted {
			return domain.RuleError(domain.ENotFound, "R-USER-6", "this email confirmation link is unknown, used or expired")
		}
		if u.act.User == nil {
			// Whoever holds the emailed link is the person itself
			// (R-AUDIT-1: who, acting for which organisation).
			u.act.User = usr
			if usr.OrgID != "" {
				if u.act.Org, err = u.tx.Org(ctx, domain.Everything, usr.OrgID); err != nil {
					return err
				}
			}
		}
		before := *usr
		usr.Email, usr.UpdatedAt = newEmail, u.now
		usr.Generic = domain.IsGenericLocalPart(newEmail[:indexAt(newEmail)])
		if err := u.tx.UpdateUser(ctx, usr); err != nil {
			if errors.Is(err, domain.ErrUnique) {
				return emailTaken(newEmail)
			}
			return err
		}
		return u.record(ctx, "user.email_confirmed", "user", usr.ID, usr.OrgID, before, usr)
	})
	return usr, err
}

// storeErrRule maps ErrNotFound to a not_found error with a rule message.
func storeErrRule(err error, rule, msg string) error {
	if errors.Is(err, domain.ErrNotFound) {
		return domain.RuleError(domain.ENotFound, rule, "%s", msg)
	}
	return err
}

// LockUser locks an active user: its API tokens stop working and it loses
// access to every site at once, while its assignments are kept for the
// unlock (R-USER-5). Codes: not_found, forbidden, rule.
func (a *App) LockUser(ctx context.Context, act Actor, id string) (*domain.User, error) {
	return a.changeState(ctx, act, id, "user.lock", func(u *unit, usr *domain.User) error {
		if usr.State != domain.UserActive {
			return domain.RuleError(domain.ERule, "R-USER-5", "only an active user can be locked; %s is %s", usr.Email, usr.State)
		}
		if act.User != nil && act.User.ID == usr.ID {
			return domain.RuleError(domain.ERule, "R-USER-5", "you cannot lock yourself")
		}
		return u.lock(ctx, usr)
	})
}

// lock locks usr: its sessions and tokens end at once and it loses access
// to every site, keeping its assignments for the unlock (R-USER-5). The
// last administrator stays (R-ROLE-5).
func (u *unit) lock(ctx context.Context, usr *domain.User) error {
	if err := u.keepsAnAdmin(ctx, usr, "locked"); err != nil {
		return err
	}
	usr.State = domain.UserLocked
	return u.endCredentials(ctx, usr, "", false)
}

// UnlockUser makes a locked user active again, with the assignments it
// had (R-USER-5). Codes: not_found, forbidden, rule.
func (a *App) UnlockUser(ctx context.Context, act Actor, id string) (*domain.User, error) {
	return a.changeState(ctx, act, id, "user.unlock", func(_ *unit, usr *domain.User) error {
		if usr.State != domain.UserLocked {
			return domain.RuleError(domain.ERule, "R-USER-5", "%s is not locked", usr.Email)
		}
		usr.State = domain.UserActive
		return nil
	})
}

// DeleteUser deletes a user: it keeps a tombstone for the activity log,
// loses every assignment (R-USER-5), and its email is free for reuse.
// The last administrator cannot be deleted (R-ROLE-5). The reason, if
// given, goes in the activity log. Codes: not_found, forbidden, rule,
// invalid.
func (a *App) DeleteUser(ctx context.Context, act Actor, id, reason string) (*domain.User, error) {
	return a.changeState(ctx, act, id, "user.delete", func(u *unit, usr *domain.User) error {
		if err := u.because(reason); err != nil {
			return err
		}
		if act.User != nil && act.User.ID == usr.ID {
			return domain.RuleError(domain.ERule, "R-ROLE-5", "you cannot delete yourself")
		}
		return u.remove(ctx, usr)
	})
}

// remove deletes usr: every assignment goes, its credentials end, and the
// organisation's main contact passes on (R-USER-5, R-ORG-2). The last
// administrator stays (R-ROLE-5).
func (u *unit) remove(ctx context.Context, usr *domain.User) error {
	if err := u.keepsAnAdmin(ctx, usr, "deleted"); err != nil {
		return err
	}
	removed, err := u.tx.DeleteUserAssignments(ctx, usr.ID, u.now)
	if err != nil {
		return err
	}
	for _, as := range removed {
		if err := u.record(ctx, "assignment.delete", "assignment", as.ID, usr.OrgID, as, nil); err != nil {
			return err
		}
	}
	usr.State = domain.UserDeleted
	if err := u.endCredentials(ctx, usr, "", false); err != nil {
		return err
	}
	// The identity provider's record goes too, so it may provision the
	// person again, and its groups no longer list the user (R-APP-4).
	if err := u.tx.DeleteSCIMUser(ctx, usr.ID, u.now); err != nil {
		return err
	}
	return u.replaceMainContact(ctx, usr)
}

// replaceMainContact hands the organisation's main contact role on to
// another administrator when the contact leaves (R-ORG-2).
func (u *unit) replaceMainContact(ctx context.Context, leaving *domain.User) error {
	o, err := u.tx.Org(ctx, domain.Everything, leaving.OrgID)
	if err != nil {
		return fmt.Errorf("organisation of %s: %w", leaving.ID, err)
	}
	if o.MainContactID != leaving.ID {
		return nil
	}
	admins, err := u.tx.OrgAdmins(ctx, o.ID, domain.AdminRole(leaving.Type))
	if err != nil {
		return err
	}
	before := *o
	o.MainContactID = ""
	for _, ad := range admins {
		if ad.ID != leaving.ID {
			o.MainContactID = ad.ID
			break
		}
	}
	if err := u.tx.UpdateOrg(ctx, o); err != nil {
		return err
	}
	return u.record(ctx, "org.update", "org", o.ID, o.ID, before, o)
}

// ResendInvitation sends an invited user a fresh invitation; earlier links
// stop working (R-USER-4). Codes: not_found, forbidden, rule.
func (a *App) ResendInvitation(ctx context.Context, act Actor, id string) (*domain.User, error) {
	return a.changeState(ctx, act, id, "user.invite_resent", func(u *unit, usr *domain.User) error {
		if usr.State != domain.UserInvited {
			return domain.RuleError(domain.ERule, "R-USER-4", "%s has already registered", usr.Email)
		}
		_, err := u.invite(ctx, usr)
		return err
	})
}

// changeState runs one administrative change of a user in a transaction
// and records it.
func (a *App) changeState(ctx context.Context, act Actor, id, action string, change func(*unit, *domain.User) error) (*domain.User, error) {
	var usr *domain.User
	err := a.write(ctx, act, func(u *unit) error {
		var err error
		if usr, _, err = u.adminUser(ctx, id); err != nil {
			return err
		}
		before := *usr
		if err := change(u, usr); err != nil {
			return err
		}
		usr.UpdatedAt = u.now
		if err := u.tx.UpdateUser(ctx, usr); err != nil {
			return err
		}
		return u.record(ctx, action, "user", usr.ID, usr.OrgID, before, usr)
	})
	if err != nil {
		return nil, err
	}
	return usr, nil
}
