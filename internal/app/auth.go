package app

import (
	"context"
	"errors"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// Bootstrap creates the vendor organisation and its first operator, and
// returns the operator's one-time registration link. It refuses to run
// twice. Codes: invalid, rule, conflict.
func (a *App) Bootstrap(ctx context.Context, vendorName, email, name string) (usr *domain.User, link string, err error) {
	email, _, err = a.emails.Check(email)
	if err != nil {
		return nil, "", err
	}
	if name = trimmed(name); name == "" {
		return nil, "", &domain.Error{Code: domain.EInvalid, Rule: "R-USER-1", Field: "name", Message: "every user is a named person: give a name"}
	}
	if vendorName = trimmed(vendorName); vendorName == "" {
		vendorName = a.cfg.ProductName + " operators"
	}
	err = a.write(ctx, System, func(u *unit) error {
		vendor, err := u.tx.Vendor(ctx)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			vendor = &domain.Org{ID: domain.NewID("org", u.now), Kind: domain.OrgVendor, Name: vendorName, CreatedAt: u.now}
			if err := u.tx.CreateOrg(ctx, vendor); err != nil {
				return err
			}
			if err := u.record(ctx, "org.create", "org", vendor.ID, vendor.ID, nil, vendor); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			ops, err := u.tx.Users(ctx, domain.UserFilter{OrgID: &vendor.ID, Page: domain.Page{Limit: 1}})
			if err != nil {
				return err
			}
			if len(ops.Items) > 0 {
				return &domain.Error{Code: domain.EConflict, Message: "Provisio is already bootstrapped; operators invite further operators"}
			}
		}
		usr = &domain.User{ID: domain.NewID("usr", u.now), OrgID: vendor.ID, Type: domain.TypeOperator, Email: email,
			Name: name, Roles: []domain.Role{domain.RoleOperator}, State: domain.UserInvited, CreatedAt: u.now, UpdatedAt: u.now}
		if err := u.createUser(ctx, usr); err != nil {
			return err
		}
		before := *vendor
		vendor.MainContactID = usr.ID
		if err := u.tx.UpdateOrg(ctx, vendor); err != nil {
			return err
		}
		if err := u.record(ctx, "org.update", "org", vendor.ID, vendor.ID, before, vendor); err != nil {
			return err
		}
		link, err = u.invite(ctx, usr)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return usr, link, nil
}

// AcceptInvitation registers an invited user: it sets the password and
// makes the user active (R-USER-4). An unknown, used or expired link is
// refused without saying which. Codes: not_found, invalid.
func (a *App) AcceptInvitation(ctx context.Context, remoteAddr, token, password string) (*domain.User, error) {
	if err := a.checkPassword(password, ""); err != nil {
		return nil, err
	}
	hash, err := a.hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	var usr *domain.User
	err = a.write(ctx, Actor{RemoteAddr: remoteAddr}, func(u *unit) error {
		userID, err := u.tx.UseInvitation(ctx, identity.HashSecret(token), u.now)
		if err != nil {
			return storeErrRule(err, "R-USER-4", "this invitation link is unknown, already used or expired; ask an administrator to send a new one")
		}
		if usr, err = u.tx.User(ctx, domain.Everything, userID); err != nil {
			return err
		}
		if usr.State != domain.UserInvited {
			return domain.RuleError(domain.ENotFound, "R-USER-4", "this invitation link is unknown, already used or expired; ask an administrator to send a new one")
		}
		if err := a.checkPassword(password, usr.Email); err != nil {
			return err
		}
		before := *usr
		usr.State, usr.InviteExpiresAt, usr.UpdatedAt = domain.UserActive, time.Time{}, u.now
		if err := u.tx.UpdateUser(ctx, usr); err != nil {
			return err
		}
		if err := u.tx.SetPassword(ctx, usr.ID, hash); err != nil {
			return err
		}
		// The person registers for its own organisation (R-AUDIT-1: who,
		// acting for which organisation); accountants have none.
		u.act.User = usr
		if usr.OrgID != "" {
			if u.act.Org, err = u.tx.Org(ctx, domain.Everything, usr.OrgID); err != nil {
				return err
			}
		}
		if err := u.record(ctx, "user.register", "user", usr.ID, usr.OrgID, before, usr); err != nil {
			return err
		}
		if usr.Type == domain.TypeAccountant {
			return u.assignWaitingSites(ctx, usr)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return usr, nil
}

// checkPassword applies the password policy: long enough, not a common
// password, not the email.
func (a *App) checkPassword(p, email string) error {
	var pe *identity.PasswordError
	if err := a.pwd.Check(p, email); errors.As(err, &pe) {
		return &domain.Error{Code: domain.EInvalid, Field: "password", Message: pe.Message}
	} else if err != nil {
		return err
	}
	return nil
}

// errBadLogin is the one answer to every failed sign-in, so that it never
// tells whether an account exists.
var errBadLogin = &domain.Error{Code: domain.EUnauthorized, Message: "the email or password is wrong, or the account cannot sign in"}

// IssueToken issues a personal API token from an email and password; see
// NewToken, which also takes a second factor.
func (a *App) IssueToken(ctx context.Context, remoteAddr, email, password, name string) (string, *domain.APIToken, error) {
	return a.NewToken(ctx, Credentials{Email: email, Password: password, RemoteAddr: remoteAddr}, name)
}

// Authenticate returns the actor behind an API token. Tokens of users that
// are not active (locked, deleted) do not work (R-USER-5). The lookup goes
// through the read cache (reads.go), so a burst of calls with one token
// reads it once, and a lock is seen as soon as the cache's version moves.
// Codes: unauthorized.
func (a *App) Authenticate(ctx context.Context, secret, remoteAddr string) (Actor, error) {
	hash := identity.HashSecret(secret)
	var act Actor
	var tok *domain.APIToken
	err := a.read(ctx, System, func(u *unit) error {
		usr, org, t, err := u.tx.UserByTokenHash(ctx, hash)
		if err != nil {
			return err
		}
		if usr.State != domain.UserActive {
			return domain.ErrNotFound
		}
		if org == nil { // an accountant: see orgOf
			org = &domain.Org{}
		}
		act, tok = Actor{User: usr, Org: org, RemoteAddr: remoteAddr}, t
		return nil
	})
	if errors.Is(err, domain.ErrNotFound) {
		return Actor{}, &domain.Error{Code: domain.EUnauthorized, Message: "the API token is unknown, revoked, or its user cannot sign in"}
	} else if err != nil {
		return Actor{}, err
	}
	// Record use at most once an hour, so authenticating stays a read.
	if now := a.now(); now.Sub(tok.LastUsedAt) > time.Hour {
		_ = a.db.Write(ctx, func(tx Tx) error { return tx.TouchAPIToken(ctx, tok.ID, now) })
	}
	return act, nil
}

// orgOf is the user's organisation. Accountants have none: they act with
// an empty one, whose id matches no tenant, so every tenancy check leaves
// them only what is theirs.
func (u *unit) orgOf(ctx context.Context, usr *domain.User) (*domain.Org, error) {
	if usr.OrgID == "" {
		return &domain.Org{}, nil
	}
	return u.tx.Org(ctx, domain.Everything, usr.OrgID)
}

// Tokens lists the actor's own API tokens.
func (a *App) Tokens(ctx context.Context, act Actor) (out []*domain.APIToken, err error) {
	err = a.readEnrolling(ctx, act, func(u *unit) error {
		out, err = u.tx.APITokens(ctx, act.userID())
		return err
	})
	return out, err
}

// RevokeToken revokes one of the actor's own API tokens. Codes: not_found.
func (a *App) RevokeToken(ctx context.Context, act Actor, id string) error {
	return a.write(ctx, act, func(u *unit) error {
		if err := u.tx.RevokeAPIToken(ctx, act.userID(), id, u.now); err != nil {
			return storeErr(err, "token", id)
		}
		return u.record(ctx, "token.revoke", "token", id, act.orgID(), nil, map[string]string{"id": id})
	})
}

// Bootstrapped reports whether the vendor organisation and its first
// operator exist: then nobody needs to run bootstrap.
func (a *App) Bootstrapped(ctx context.Context) (bool, error) {
	var ok bool
	err := a.read(ctx, System, func(u *unit) error {
		_, err := u.tx.Vendor(ctx)
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		ok = err == nil
		return err
	})
	return ok, err
}
