package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// Credentials are what a person signs in with.
type Credentials struct {
	Email, Password string
	Code            string // a TOTP code or a recovery code, when MFA applies
	RemoteAddr      string
	UserAgent       string
}

// SessionResult is a new session; Token is its secret, shown once (the
// cookie value, or a bearer token for the CLI).
type SessionResult struct {
	Token   string
	Session *domain.Session
	User    *domain.User
	// EnrolMFA is set when the user must enrol a second factor before it
	// may do anything else (R-PLUS-3); the session allows only that.
	EnrolMFA bool
}

var (
	errMFARequired = &domain.Error{Code: domain.EMFARequired, Rule: "R-PLUS-3",
		Message: "enter the code from your authenticator app, or a recovery code"}
	errThrottled = &domain.Error{Code: domain.EThrottled,
		Message: "too many failed sign-ins; wait a few minutes and try again"}
)

// mfaState is what a checked sign-in still needs.
type mfaState int

const (
	mfaDone  mfaState = iota // given, or not needed
	mfaEnrol                 // needed but not enrolled yet
)

// throttleKey is one counter of sign-in attempts, with the number of
// failures that locks it (0: it only slows answers down).
type throttleKey struct {
	key   string
	limit int
}

// signinKeys are the counters one attempt is counted against: the
// account from this address, which locks out the guesser but not the
// account's owner signing in elsewhere (ASVS 2.2.1); the address, which
// locks out one client guessing many accounts; and the account wherever
// it is tried from, which only slows answers down.
func (a *App) signinKeys(email, addr string) []throttleKey {
	return []throttleKey{{"pair:" + email + " " + addr, a.cfg.Throttle.AccountFailures},
		{"address:" + addr, a.cfg.Throttle.AddressFailures}, {"account:" + email, 0}}
}

// countAttempt counts a sign-in attempt against every key before anything
// is checked, so that however many attempts arrive at once, at most the
// limit of them are ever checked. It returns the failures seen before
// this attempt, for the slow-down, or errThrottled.
func (a *App) countAttempt(ctx context.Context, keys []throttleKey) (before int, err error) {
	th, now := a.cfg.Throttle, a.now()
	throttled := false
	err = a.db.Write(ctx, func(tx Tx) error {
		for _, k := range keys {
			t, err := tx.CountAttempt(ctx, k.key, now, th.Window, k.limit, th.Lockout)
			if err != nil {
				return fmt.Errorf("count sign-in attempt: %w", err)
			}
			// The attempt that reaches the limit is checked; any later one,
			// or any while a lock lasts, is not.
			if k.limit > 0 && (t.Failures > k.limit || now.Before(t.LockedUntil) && t.Failures != k.limit) {
				throttled = true
			}
			before = max(before, t.Failures-1)
		}
		return nil
	})
	if err == nil && throttled {
		err = errThrottled
	}
	return before, err
}

// checkCredentials checks a sign-in, throttled per account and address
// pair and per client address. Every failure answers alike and costs the
// same, so nothing tells whether an account exists or in which state, and
// success and failure both go to the activity log, without the password.
func (a *App) checkCredentials(ctx context.Context, c Credentials) (*domain.User, *domain.Org, mfaState, error) {
	email := domain.NormalizeEmail(c.Email)
	keys := a.signinKeys(email, c.RemoteAddr)
	failures, err := a.countAttempt(ctx, keys)
	if err != nil {
		return nil, nil, 0, err
	}
	var usr *domain.User
	var hash string
	var totp *domain.TOTP
	var org *domain.Org
	err = a.read(ctx, System, func(u *unit) error {
		var err error
		if usr, err = u.tx.UserByEmail(ctx, email); errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if hash, err = u.tx.PasswordHash(ctx, usr.ID); err != nil {
			return err
		}
		if org, err = u.orgOf(ctx, usr); err != nil {
			return err
		}
		if totp, err = u.tx.TOTP(ctx, usr.ID); errors.Is(err, domain.ErrNotFound) {
			totp = nil
			return nil
		}
		return err
	})
	if err != nil {
		return nil, nil, 0, err
	}
	if failures >= a.cfg.Throttle.SlowAfter {
		a.sleep(ctx, time.Duration(min(failures, 10))*250*time.Millisecond)
	}
	if usr == nil || hash == "" {
		// An unknown account, or an invited one with no password yet:
		// check against a hash that matches nothing, for the same time.
		hash = a.dummyHash()
	}
	matches, err := a.passwordMatches(ctx, hash, c.Password)
	switch {
	case err != nil:
		return nil, nil, 0, err
	case usr == nil:
		return nil, nil, 0, a.failSignIn(ctx, c, nil, "unknown account")
	case !matches || usr.State != domain.UserActive:
		return nil, nil, 0, a.failSignIn(ctx, c, usr, "bad password or inactive account")
	}
	enrolled := totp != nil && !totp.ConfirmedAt.IsZero()
	switch {
	case enrolled && c.Code == "":
		return nil, nil, 0, errMFARequired
	case enrolled:
		if !a.secondFactor(ctx, usr.ID, totp.Secret, c.Code) {
			return nil, nil, 0, a.failSignIn(ctx, c, usr, "bad second factor")
		}
	case a.mfaRequired(usr, org):
		return usr, org, mfaEnrol, a.passSignIn(ctx, c, keys, usr, org)
	}
	return usr, org, mfaDone, a.passSignIn(ctx, c, keys, usr, org)
}

// mfaRequired tells whether the user must use a second factor (R-PLUS-3):
// its type always does (an install setting), or its organisation asks.
func (a *App) mfaRequired(usr *domain.User, org *domain.Org) bool {
	return a.cfg.MFAFor[usr.Type] || org != nil && org.RequireMFA
}

// secondFactor spends a TOTP code (each time step once) or a recovery code.
func (a *App) secondFactor(ctx context.Context, userID, secret, code string) bool {
	now := a.now()
	if step, ok := identity.CheckTOTPStep(secret, code, now); ok {
		return a.db.Write(ctx, func(tx Tx) error { return tx.UseTOTPStep(ctx, userID, step, now) }) == nil
	}
	return a.db.Write(ctx, func(tx Tx) error {
		return tx.UseRecoveryCode(ctx, userID, identity.HashRecoveryCode(code), now)
	}) == nil
}

// failSignIn records a failed attempt, already counted by countAttempt.
func (a *App) failSignIn(ctx context.Context, c Credentials, usr *domain.User, why string) error {
	err := a.write(ctx, Actor{RemoteAddr: c.RemoteAddr}, func(u *unit) error {
		orgID, objID := "", ""
		if usr != nil {
			orgID, objID = usr.OrgID, usr.ID
		}
		return u.record(ctx, "signin.failure", "user", objID, orgID, nil,
			map[string]string{"email": domain.NormalizeEmail(c.Email), "reason": why, "user_agent": c.UserAgent})
	})
	if err != nil {
		return err
	}
	return errBadLogin
}

// passSignIn records a successful attempt, which counts against nobody:
// each counter takes it back. Failures around it stay counted until their
// window ends, so that a success among concurrent guesses opens no room
// for more of them to be checked.
func (a *App) passSignIn(ctx context.Context, c Credentials, keys []throttleKey, usr *domain.User, org *domain.Org) error {
	return a.write(ctx, Actor{User: usr, Org: org, RemoteAddr: c.RemoteAddr}, func(u *unit) error {
		for _, k := range keys {
			if err := u.tx.ForgiveAttempt(ctx, k.key); err != nil {
				return fmt.Errorf("take back a sign-in attempt: %w", err)
			}
		}
		return u.record(ctx, "signin.success", "user", usr.ID, usr.OrgID, nil, map[string]string{"user_agent": c.UserAgent})
	})
}

// SignIn checks credentials and starts a session stored in the database,
// with a fresh token (R-USER-4, R-PLUS-3). Codes: unauthorized,
// mfa_required, throttled.
func (a *App) SignIn(ctx context.Context, c Credentials) (*SessionResult, error) {
	usr, org, mfa, err := a.checkCredentials(ctx, c)
	if err != nil {
		return nil, err
	}
	return a.startSession(ctx, usr, org, "password", mfa == mfaDone, c)
}

func (a *App) startSession(ctx context.Context, usr *domain.User, org *domain.Org, via string, mfaOK bool, c Credentials) (*SessionResult, error) {
	token := identity.NewSecret("pvs")
	now := a.now()
	s := &domain.Session{ID: domain.NewID("ses", now), UserID: usr.ID, MFAOK: mfaOK, Via: via, RemoteAddr: c.RemoteAddr,
		UserAgent: c.UserAgent, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(a.cfg.SessionAbsolute)}
	err := a.write(ctx, Actor{User: usr, Org: org, RemoteAddr: c.RemoteAddr}, func(u *unit) error {
		if err := u.tx.CreateSession(ctx, s, identity.HashSecret(token)); err != nil {
			return err
		}
		return u.record(ctx, "session.create", "session", s.ID, usr.OrgID, nil, map[string]any{"via": via, "mfa": mfaOK})
	})
	if err != nil {
		return nil, err
	}
	return &SessionResult{Token: token, Session: s, User: usr, EnrolMFA: !mfaOK}, nil
}

// NewToken checks credentials, second factor included, and issues a
// personal API token (R-PLUS-3). A user who must enrol a second factor
// first is told so. Codes: unauthorized, mfa_required, throttled, rule.
func (a *App) NewToken(ctx context.Context, c Credentials, name string) (string, *domain.APIToken, error) {
	usr, org, mfa, err := a.checkCredentials(ctx, c)
	if err != nil {
		return "", nil, err
	}
	if mfa == mfaEnrol {
		return "", nil, domain.RuleError(domain.ERule, "R-PLUS-3",
			"your account needs multi-factor sign-in: enrol an authenticator first (provisio mfa enrol)")
	}
	if name = trimmed(name); name == "" {
		name = "cli"
	}
	secret := identity.NewSecret("pvt")
	var tok *domain.APIToken
	err = a.write(ctx, Actor{User: usr, Org: org, RemoteAddr: c.RemoteAddr}, func(u *unit) error {
		tok = &domain.APIToken{ID: domain.NewID("tok", u.now), UserID: usr.ID, Name: name, CreatedAt: u.now}
		if err := u.tx.CreateAPIToken(ctx, tok, identity.HashSecret(secret)); err != nil {
			return err
		}
		return u.record(ctx, "token.create", "token", tok.ID, usr.OrgID, nil, map[string]string{"id": tok.ID, "name": name})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// SessionActor returns the actor behind a session token. The session must
// be neither idle past the idle timeout nor past its absolute end, and its
// user must be active. While the user still has to enrol a second factor
// the actor is MFAPending, and only the enrolment is open to it (R-PLUS-3).
// Codes: unauthorized.
func (a *App) SessionActor(ctx context.Context, token, remoteAddr string) (act Actor, sessionID string, err error) {
	now := a.now()
	var s *domain.Session
	err = a.read(ctx, System, func(u *unit) error {
		if s, err = u.tx.SessionByHash(ctx, identity.HashSecret(token)); err != nil {
			return err
		}
		if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeenAt) >= a.cfg.SessionIdle {
			return domain.ErrNotFound
		}
		usr, err := u.tx.User(ctx, domain.Everything, s.UserID)
		if err != nil {
			return err
		}
		if usr.State != domain.UserActive {
			return domain.ErrNotFound
		}
		org, err := u.orgOf(ctx, usr)
		act = Actor{User: usr, Org: org, RemoteAddr: remoteAddr, mfaPending: !s.MFAOK}
		return err
	})
	if errors.Is(err, domain.ErrNotFound) {
		return Actor{}, "", &domain.Error{Code: domain.EUnauthorized, Message: "your session has ended; sign in again"}
	} else if err != nil {
		return Actor{}, "", err
	}
	if now.Sub(s.LastSeenAt) > time.Minute { // write activity at most once a minute
		_ = a.db.Write(ctx, func(tx Tx) error { return tx.TouchSession(ctx, s.ID, now) })
	}
	return act, s.ID, nil
}

// SignOut ends a session.
func (a *App) SignOut(ctx context.Context, act Actor, sessionID string) error {
	return a.RevokeSession(ctx, act, sessionID)
}

// Sessions lists the actor's own sessions.
func (a *App) Sessions(ctx context.Context, act Actor) (out []*domain.Session, err error) {
	err = a.readEnrolling(ctx, act, func(u *unit) error {
		out, err = u.tx.Sessions(ctx, act.userID())
		return err
	})
	return out, err
}

// RevokeSession ends one of the actor's own sessions. Codes: not_found.
func (a *App) RevokeSession(ctx context.Context, act Actor, id string) error {
	return a.writeEnrolling(ctx, act, func(u *unit) error {
		if err := u.tx.DeleteSession(ctx, act.userID(), id); err != nil {
			return storeErr(err, "session", id)
		}
		return u.record(ctx, "session.delete", "session", id, act.orgID(), nil, nil)
	})
}

// endCredentials ends what lets usr in without a password: every session
// but keepSession (the one in use, when the person changes its own
// password), and, unless keepTokens, its API tokens (R-USER-5).
func (u *unit) endCredentials(ctx context.Context, usr *domain.User, keepSession string, keepTokens bool) error {
	sessions, err := u.tx.Sessions(ctx, usr.ID)
	if err != nil {
		return fmt.Errorf("sessions of %s: %w", usr.ID, err)
	}
	for _, s := range sessions {
		if s.ID == keepSession {
			continue
		}
		if err := u.tx.DeleteSession(ctx, usr.ID, s.ID); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("end session %s: %w", s.ID, err)
		}
	}
	if keepTokens {
		return nil
	}
	if _, err := u.tx.RevokeUserTokens(ctx, usr.ID, u.now); err != nil {
		return fmt.Errorf("revoke tokens of %s: %w", usr.ID, err)
	}
	return nil
}
