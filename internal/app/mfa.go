package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/mail"
)

// TOTPEnrolment is a started authenticator enrolment: the secret, its
// otpauth:// URL and a QR code of it (PNG).
type TOTPEnrolment struct {
	Secret string
	URL    string
	QRCode []byte
}

// StartTOTP begins enrolling an authenticator app for the actor (R-PLUS-3).
// It replaces an unconfirmed enrolment; a confirmed one must be removed
// first. Codes: conflict.
func (a *App) StartTOTP(ctx context.Context, act Actor) (*TOTPEnrolment, error) {
	key, err := identity.NewTOTP(a.cfg.ProductName, act.User.Email)
	if err != nil {
		return nil, err
	}
	png, err := identity.TOTPQRCodePNG(key, 256)
	if err != nil {
		return nil, err
	}
	err = a.writeEnrolling(ctx, act, func(u *unit) error {
		if t, err := u.tx.TOTP(ctx, act.userID()); err == nil && !t.ConfirmedAt.IsZero() {
			return &domain.Error{Code: domain.EConflict, Rule: "R-PLUS-3", Message: "an authenticator is already enrolled; remove it first"}
		} else if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		return u.tx.StartTOTP(ctx, act.userID(), key.Secret, u.now)
	})
	if err != nil {
		return nil, err
	}
	return &TOTPEnrolment{Secret: key.Secret, URL: key.URL, QRCode: png}, nil
}

// PendingTOTP returns the actor's started, unconfirmed enrolment, so that a
// wrong first code can be tried again with the same secret. Codes:
// not_found.
func (a *App) PendingTOTP(ctx context.Context, act Actor) (*TOTPEnrolment, error) {
	var secret string
	err := a.readEnrolling(ctx, act, func(u *unit) error {
		t, err := u.tx.TOTP(ctx, act.userID())
		if err == nil && !t.ConfirmedAt.IsZero() {
			err = domain.ErrNotFound
		}
		if err != nil {
			return storeErrRule(err, "R-PLUS-3", "no enrolment is waiting; start one")
		}
		secret = t.Secret
		return nil
	})
	if err != nil {
		return nil, err
	}
	key, err := identity.TOTPKeyFor(a.cfg.ProductName, act.User.Email, secret)
	if err != nil {
		return nil, err
	}
	png, err := identity.TOTPQRCodePNG(key, 256)
	if err != nil {
		return nil, err
	}
	return &TOTPEnrolment{Secret: key.Secret, URL: key.URL, QRCode: png}, nil
}

// ConfirmTOTP completes an enrolment with a first code from the app. It
// returns ten single-use recovery codes, shown this once and stored
// hashed, and lets the current session past the enrolment step.
// Codes: invalid, not_found.
func (a *App) ConfirmTOTP(ctx context.Context, act Actor, sessionID, code string) ([]string, error) {
	codes := identity.NewRecoveryCodes(10)
	err := a.writeEnrolling(ctx, act, func(u *unit) error {
		t, err := u.tx.TOTP(ctx, act.userID())
		if err != nil {
			return storeErrRule(err, "R-PLUS-3", "start an enrolment first")
		}
		if !t.ConfirmedAt.IsZero() {
			return &domain.Error{Code: domain.EConflict, Rule: "R-PLUS-3", Message: "this authenticator is already confirmed"}
		}
		step, ok := identity.CheckTOTPStep(t.Secret, code, u.now)
		if !ok || u.tx.UseTOTPStep(ctx, act.userID(), step, u.now) != nil {
			return &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-3", Field: "code", Message: "that code does not match; check the app's clock and try the next code"}
		}
		if err := u.tx.SetRecoveryCodes(ctx, act.userID(), hashedCodes(codes)); err != nil {
			return err
		}
		if sessionID != "" {
			if err := u.tx.SetSessionMFA(ctx, sessionID); err != nil {
				return err
			}
		}
		return u.record(ctx, "mfa.enrol", "user", act.userID(), act.orgID(), nil, map[string]string{"method": "totp"})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// RemoveTOTP removes the actor's authenticator, given a current code. It
// is refused where a second factor is required. Codes: rule, invalid.
func (a *App) RemoveTOTP(ctx context.Context, act Actor, code string) error {
	if a.mfaRequired(act.User, act.Org) {
		return domain.RuleError(domain.ERule, "R-PLUS-3", "your account requires multi-factor sign-in")
	}
	return a.write(ctx, act, func(u *unit) error {
		t, err := u.tx.TOTP(ctx, act.userID())
		if err != nil {
			return storeErr(err, "authenticator", act.userID())
		}
		if _, ok := identity.CheckTOTPStep(t.Secret, code, u.now); !ok {
			return &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-3", Field: "code", Message: "that code does not match"}
		}
		if err := u.tx.DeleteTOTP(ctx, act.userID()); err != nil {
			return err
		}
		return u.record(ctx, "mfa.remove", "user", act.userID(), act.orgID(), nil, nil)
	})
}

// RequestPasswordReset mails a single-use reset link to an active user.
// It answers the same whether or not the account exists, and whether or
// not the request is over the limits: Throttle.ResetsPerAccount per
// account and Throttle.ResetsPerAddress per client address within the
// throttle window; requests beyond them send nothing.
func (a *App) RequestPasswordReset(ctx context.Context, remoteAddr, email string) error {
	email = domain.NormalizeEmail(email)
	th := a.cfg.Throttle
	return a.write(ctx, Actor{RemoteAddr: remoteAddr}, func(u *unit) error {
		for key, limit := range map[string]int{"reset-account:" + email: th.ResetsPerAccount, "reset-address:" + remoteAddr: th.ResetsPerAddress} {
			if limit <= 0 {
				continue
			}
			t, err := u.tx.CountAttempt(ctx, key, u.now, th.Window, limit, th.Window)
			if err != nil {
				return fmt.Errorf("count reset request: %w", err)
			}
			if t.Failures > limit {
				return nil
			}
		}
		usr, err := u.tx.UserByEmail(ctx, email)
		if errors.Is(err, domain.ErrNotFound) || err == nil && usr.State != domain.UserActive {
			return nil
		} else if err != nil {
			return err
		}
		token := identity.NewSecret("rst")
		expires := u.now.Add(a.cfg.PasswordResetTTL)
		if err := u.tx.CreatePasswordReset(ctx, identity.HashSecret(token), usr.ID, expires, u.now); err != nil {
			return err
		}
		if err := u.record(ctx, "password.reset_requested", "user", usr.ID, usr.OrgID, nil, nil); err != nil {
			return err
		}
		return u.notify(ctx, domain.NoticePasswordReset, usr.OrgID, usr, mail.Data{UserName: usr.Name, UserEmail: usr.Email,
			Link: a.cfg.BaseURL + "/password-resets/" + token, ExpiresAt: expires})
	})
}

// ResetPassword sets a new password from a reset link. The link works
// once; every session of the user ends, and its API tokens are revoked
// unless keepTokens (R-USER-5). Codes: not_found, invalid.
func (a *App) ResetPassword(ctx context.Context, remoteAddr, token, password string, keepTokens bool) error {
	if err := a.checkPassword(password, ""); err != nil {
		return err
	}
	hash, err := a.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return a.write(ctx, Actor{RemoteAddr: remoteAddr}, func(u *unit) error {
		userID, err := u.tx.UsePasswordReset(ctx, identity.HashSecret(token), u.now)
		if err != nil {
			return storeErrRule(err, "R-USER-4", "this reset link is unknown, already used or expired; ask for a new one")
		}
		usr, err := u.tx.User(ctx, domain.Everything, userID)
		if err != nil {
			return err
		}
		if err := a.checkPassword(password, usr.Email); err != nil {
			return err
		}
		if err := u.tx.SetPassword(ctx, usr.ID, hash); err != nil {
			return err
		}
		if err := u.endCredentials(ctx, usr, "", keepTokens); err != nil {
			return err
		}
		if u.act.Org, err = u.orgOf(ctx, usr); err != nil {
			return err
		}
		u.act.User = usr
		return u.record(ctx, "password.reset", "user", usr.ID, usr.OrgID, nil, nil)
	})
}

// ChangePassword sets a new password for the actor, given the current one.
// Its other sessions end; the one it is using stays; its API tokens are
// revoked unless keepTokens (R-USER-5). Codes: invalid, unauthorized.
func (a *App) ChangePassword(ctx context.Context, act Actor, sessionID, current, next string, keepTokens bool) error {
	if err := a.checkPassword(next, act.User.Email); err != nil {
		return err
	}
	var hash string
	if err := a.read(ctx, act, func(u *unit) (err error) {
		hash, err = u.tx.PasswordHash(ctx, act.userID())
		return err
	}); err != nil {
		return err
	}
	if ok, err := a.passwordMatches(ctx, hash, current); err != nil {
		return err
	} else if !ok {
		return &domain.Error{Code: domain.EInvalid, Field: "current", Message: "the current password is wrong"}
	}
	newHash, err := a.hashPassword(ctx, next)
	if err != nil {
		return err
	}
	return a.write(ctx, act, func(u *unit) error {
		if err := u.tx.SetPassword(ctx, act.userID(), newHash); err != nil {
			return err
		}
		if err := u.endCredentials(ctx, act.User, sessionID, keepTokens); err != nil {
			return err
		}
		return u.record(ctx, "password.change", "user", act.userID(), act.orgID(), nil, map[string]bool{"tokens_kept": keepTokens})
	})
}

// SetTimeZone sets the zone the actor reads dates in, on the pages and in
// the notices sent to them: an IANA name such as Europe/Paris, or "" for
// UTC. Codes: invalid.
func (a *App) SetTimeZone(ctx context.Context, act Actor, zone string) error {
	zone = strings.TrimSpace(zone)
	if act.User == nil {
		return &domain.Error{Code: domain.EUnauthorized, Message: "sign in to choose your time zone"}
	}
	if zone == "UTC" {
		zone = ""
	}
	if _, err := time.LoadLocation(zone); err != nil || strings.EqualFold(zone, "local") {
		return &domain.Error{Code: domain.EInvalid, Field: "time_zone", Message: "give a time zone by its name, such as Europe/Paris or America/New_York"}
	}
	return a.writeEnrolling(ctx, act, func(u *unit) error {
		if err := u.tx.SetTimeZone(ctx, act.User.ID, zone); err != nil {
			return err
		}
		return u.record(ctx, "user.time_zone", "user", act.User.ID, act.orgID(), map[string]string{"time_zone": act.User.TimeZone},
			map[string]string{"time_zone": zone})
	})
}

// MFAStatus is the actor's second factor as their account page shows it.
type MFAStatus struct {
	Enrolled   bool      // a confirmed authenticator app
	EnrolledAt time.Time // when it was confirmed
	MayRemove  bool      // false where a second factor is required (R-PLUS-3)
}

// MFA returns the actor's second factor.
func (a *App) MFA(ctx context.Context, act Actor) (s MFAStatus, err error) {
	err = a.readEnrolling(ctx, act, func(u *unit) error {
		t, err := u.tx.TOTP(ctx, act.userID())
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		s = MFAStatus{Enrolled: !t.ConfirmedAt.IsZero(), EnrolledAt: t.ConfirmedAt, MayRemove: !a.mfaRequired(act.User, act.Org)}
		return nil
	})
	return s, err
}

// NewRecoveryCodes replaces the actor's recovery codes with ten new ones,
// given a current code from the authenticator app; the old ones stop
// working. Codes: not_found, invalid.
func (a *App) NewRecoveryCodes(ctx context.Context, act Actor, code string) ([]string, error) {
	codes := identity.NewRecoveryCodes(10)
	err := a.write(ctx, act, func(u *unit) error {
		t, err := u.tx.TOTP(ctx, act.userID())
		if err != nil || t.ConfirmedAt.IsZero() {
			return domain.RuleError(domain.ENotFound, "R-PLUS-3", "enrol an authenticator app first")
		}
		step, ok := identity.CheckTOTPStep(t.Secret, code, u.now)
		if !ok || u.tx.UseTOTPStep(ctx, act.userID(), step, u.now) != nil {
			return &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-3", Field: "code", Message: "that code does not match; try the next code from the app"}
		}
		if err := u.tx.SetRecoveryCodes(ctx, act.userID(), hashedCodes(codes)); err != nil {
			return err
		}
		return u.record(ctx, "mfa.recovery_codes", "user", act.userID(), act.orgID(), nil, map[string]string{"method": "totp"})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// hashedCodes is how recovery codes are kept: hashed, never as given.
func hashedCodes(codes []string) []string {
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = identity.HashRecoveryCode(c)
	}
	return hashes
}
