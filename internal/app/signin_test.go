package app_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

func creds(email, password string) app.Credentials {
	return app.Credentials{Email: email, Password: password, RemoteAddr: "198.51.100.7", UserAgent: "test"}
}

// TestSession_Lifecycle: sign in, use, survive a restart, idle and
// absolute expiry, revoke, sign out. R-USER-4
func TestSession_Lifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		email := w.cUser.Email
		s1 := must(t, of(w.app.SignIn(w.ctx, creds(email, testPassword))))
		if s1.EnrolMFA || s1.Token == "" {
			t.Fatalf("session: %+v", s1)
		}
		act, _, err := w.app.SessionActor(w.ctx, s1.Token, "")
		if err != nil || act.MFAPending() || act.User.ID != w.cUser.ID {
			t.Fatalf("session actor: %+v %v", act, err)
		}
		// A second app over the same database (a restart, or another
		// replica) knows the session.
		other, _ := newApp(t, db)
		if _, _, err := other.SessionActor(w.ctx, s1.Token, ""); err != nil {
			t.Fatalf("after restart: %v", err)
		}
		// Idle timeout: two hours without use.
		w.clock.Add(2*time.Hour + time.Second)
		if _, _, err := w.app.SessionActor(w.ctx, s1.Token, ""); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("idle session still works: %v", err)
		}
		// Absolute timeout: used every hour, it still ends after 12 hours.
		s2 := must(t, of(w.app.SignIn(w.ctx, creds(email, testPassword))))
		for range 11 {
			w.clock.Add(time.Hour + time.Minute)
			if _, _, err := w.app.SessionActor(w.ctx, s2.Token, ""); err != nil {
				t.Fatalf("active session ended early: %v", err)
			}
		}
		w.clock.Add(time.Hour)
		if _, _, err := w.app.SessionActor(w.ctx, s2.Token, ""); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("session outlived its absolute end: %v", err)
		}
		// List and revoke; sign out.
		s3 := must(t, of(w.app.SignIn(w.ctx, creds(email, testPassword))))
		s4 := must(t, of(w.app.SignIn(w.ctx, creds(email, testPassword))))
		if s3.Token == s4.Token {
			t.Fatal("each sign-in gets a fresh token")
		}
		act, sid, _ := w.app.SessionActor(w.ctx, s3.Token, "")
		if err := w.app.RevokeSession(w.ctx, act, s4.Session.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.app.SessionActor(w.ctx, s4.Token, ""); err == nil {
			t.Fatal("revoked session still works")
		}
		if err := w.app.SignOut(w.ctx, act, sid); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.app.SessionActor(w.ctx, s3.Token, ""); err == nil {
			t.Fatal("signed-out session still works")
		}
	})
}

// TestSession_LockEndsSessions: lock → sessions gone, tokens refused →
// unlock → sign in again. R-USER-5
func TestSession_LockEndsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))))
		secret, _ := must2(t, of2(w.app.IssueToken(w.ctx, "", w.cUser.Email, testPassword, "cli")))
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		if l := must(t, of(w.app.Sessions(w.ctx, app.Actor{User: w.cUser}))); len(l) != 0 {
			t.Fatalf("sessions after lock: %d", len(l))
		}
		if _, _, err := w.app.SessionActor(w.ctx, s.Token, ""); err == nil {
			t.Fatal("session survived the lock")
		}
		if _, err := w.app.Authenticate(w.ctx, secret, ""); err == nil {
			t.Fatal("token works while locked")
		}
		if _, err := w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword)); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("locked user signed in: %v", err)
		}
		must(t, of(w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))))
	})
}

// result2 is what a call of two values returned, packed by of2.
type result2[A, B any] struct {
	a   A
	b   B
	err error
}

// of2 is of for calls that return two values and an error.
func of2[A, B any](a A, b B, err error) result2[A, B] { return result2[A, B]{a, b, err} }

// must2 is must for calls that return two values and an error.
func must2[A, B any](tb testing.TB, r result2[A, B]) (A, B) {
	tb.Helper()
	if r.err != nil {
		tb.Fatal(r.err)
	}
	return r.a, r.b
}

var resetRE = regexp.MustCompile(`/password-resets/([A-Za-z0-9_-]+)`)

// TestPasswordReset: by emailed link, once; sessions end; an unknown email
// answers the same. R-USER-4
func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))))
		if err := w.app.RequestPasswordReset(w.ctx, "", "nobody@acme.example"); err != nil {
			t.Fatalf("unknown email must answer alike: %v", err)
		}
		if err := w.app.RequestPasswordReset(w.ctx, "", strings.ToUpper(w.cUser.Email)); err != nil {
			t.Fatal(err)
		}
		mails := w.mailed(w.cUser.Email, domain.NoticePasswordReset)
		if len(mails) != 1 || len(w.mailed("nobody@acme.example", domain.NoticePasswordReset)) != 0 {
			t.Fatalf("reset mails: %d", len(mails))
		}
		token := resetRE.FindStringSubmatch(mails[0].Body)[1]
		_ = w.app.ResetPassword(w.ctx, "", token, "password123", false) // a common password is refused…
		if err := w.app.ResetPassword(w.ctx, "", token, "a brand new passphrase", false); err != nil {
			t.Fatalf("…and the link still works after that refusal: %v", err)
		}
		err := w.app.ResetPassword(w.ctx, "", token, "yet another passphrase", false)
		wantCode(t, err, domain.ENotFound, "R-USER-4")
		if _, _, err := w.app.SessionActor(w.ctx, s.Token, ""); err == nil {
			t.Fatal("a reset ends every session")
		}
		must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, "a brand new passphrase"))))
		if err := w.app.RequestPasswordReset(w.ctx, "", w.cUser.Email); err != nil {
			t.Fatal(err)
		}
		w.clock.Add(time.Hour + time.Second)
		token = resetRE.FindStringSubmatch(w.mailed(w.cUser.Email, domain.NoticePasswordReset)[1].Body)[1]
		wantCode(t, w.app.ResetPassword(w.ctx, "", token, "a passphrase too late", false), domain.ENotFound, "R-USER-4")
	})
}

// TestMFA: TOTP enrolment and sign-in, a recovery code that works once, a
// code that cannot be replayed, and MFA required for partner users.
// R-PLUS-3
func TestMFA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// Enrol a customer user, through a session.
		s := must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))))
		act, sid, _ := w.app.SessionActor(w.ctx, s.Token, "")
		enr := must(t, of(w.app.StartTOTP(w.ctx, act)))
		if !strings.HasPrefix(enr.URL, "otpauth://totp/") || len(enr.QRCode) < 100 || string(enr.QRCode[1:4]) != "PNG" {
			t.Fatalf("enrolment: %q %d bytes", enr.URL, len(enr.QRCode))
		}
		code := func() string {
			c, err := totp.GenerateCode(enr.Secret, w.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		_, err := w.app.ConfirmTOTP(w.ctx, act, sid, "000000")
		wantCode(t, err, domain.EInvalid, "R-PLUS-3")
		recovery := must(t, of(w.app.ConfirmTOTP(w.ctx, act, sid, code())))
		if len(recovery) != 10 {
			t.Fatalf("recovery codes: %v", recovery)
		}
		// Now the password alone is not enough, and says so.
		_, err = w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))
		wantCode(t, err, domain.EMFARequired, "R-PLUS-3")
		w.clock.Add(30 * time.Second)
		c := creds(w.cUser.Email, testPassword)
		c.Code = code()
		must(t, of(w.app.SignIn(w.ctx, c)))
		if _, err := w.app.SignIn(w.ctx, c); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("a replayed code must fail: %v", err)
		}
		c.Code = strings.ToUpper(recovery[3])
		must(t, of(w.app.SignIn(w.ctx, c)))
		if _, err := w.app.SignIn(w.ctx, c); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("a recovery code works once: %v", err)
		}

		// Partner users always need MFA by default.
		w.app, _ = newAppWith(t, db, w.clock, func(cfg *app.Config) { cfg.MFAFor = app.DefaultConfig().MFAFor })
		ps := must(t, of(w.app.SignIn(w.ctx, creds(w.pAgent.Email, testPassword))))
		if !ps.EnrolMFA {
			t.Fatal("a partner user without an authenticator must enrol first")
		}
		pact, psid, err := w.app.SessionActor(w.ctx, ps.Token, "")
		if err != nil || !pact.MFAPending() {
			t.Fatalf("the session is restricted to enrolment: %v", err)
		}
		// R-PLUS-3: the restriction is the app's, whatever surface asks:
		// every use case but the enrolment and the person's own sessions
		// refuses the session.
		_, err = w.app.Sites(w.ctx, pact, domain.SiteFilter{})
		wantCode(t, err, domain.EForbidden, "R-PLUS-3")
		_, err = w.app.RequestAccess(w.ctx, pact, w.site.ID, w.pAgent.ID, "")
		wantCode(t, err, domain.EForbidden, "R-PLUS-3")
		if _, err := w.app.Sessions(w.ctx, pact); err != nil {
			t.Fatalf("own sessions stay open to an enrolling session: %v", err)
		}
		if _, err := w.app.StartTOTP(w.ctx, pact); err != nil {
			t.Fatalf("enrolment is open to an enrolling session: %v", err)
		}
		if err := w.app.SignOut(w.ctx, pact, psid); err != nil {
			t.Fatalf("signing out is open to an enrolling session: %v", err)
		}
		_, _, err = w.app.IssueToken(w.ctx, "", w.pAgent.Email, testPassword, "cli")
		wantCode(t, err, domain.ERule, "R-PLUS-3")
		// An organisation can require it of its users too.
		req := true
		must(t, of(w.app.UpdateOrg(w.ctx, w.cAdmin, w.customer.ID, domain.OrgUpdate{RequireMFA: &req})))
		if s := must(t, of(w.app.SignIn(w.ctx, creds(w.cAdmin2.Email, testPassword)))); !s.EnrolMFA {
			t.Fatal("the customer now requires MFA")
		}
	})
}

// TestThrottle: failures slow down, then lock out the account and the
// address, then recover; messages never tell whether an account exists.
func TestThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		var slept time.Duration
		w.app.SetSleep(func(_ context.Context, d time.Duration) { slept += d })
		_, errUnknown := w.app.SignIn(w.ctx, creds("nobody@acme.example", "whatever it is"))
		_, errWrong := w.app.SignIn(w.ctx, creds(w.cUser.Email, "not the password"))
		if errUnknown == nil || errUnknown.Error() != errWrong.Error() {
			t.Fatalf("messages differ: %v / %v", errUnknown, errWrong)
		}
		for range 4 {
			_, _ = w.app.SignIn(w.ctx, creds(w.cUser.Email, "not the password"))
		}
		if slept == 0 {
			t.Fatal("repeated failures must slow down")
		}
		_, err := w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))
		wantCode(t, err, domain.EThrottled, "")
		// The lockout holds for an unknown account just the same.
		for range 5 {
			_, _ = w.app.SignIn(w.ctx, creds("ghost@acme.example", "not the password"))
		}
		_, errGhost := w.app.SignIn(w.ctx, creds("ghost@acme.example", "not the password"))
		if errGhost == nil || errGhost.Error() != err.Error() {
			t.Fatalf("lockout messages differ: %v / %v", errGhost, err)
		}
		w.clock.Add(15*time.Minute + time.Second)
		must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))))
		// Every attempt is in the log, without the password.
		entries := must(t, of(w.app.Audit(w.ctx, w.op, domain.AuditFilter{Action: ptr("signin.failure"), Limit: 100})))
		if len(entries) < 10 {
			t.Fatalf("failures logged: %d", len(entries))
		}
		for _, e := range entries {
			if strings.Contains(string(e.After), "not the password") {
				t.Fatal("a password reached the activity log")
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestChangePassword: the current password is needed; other sessions end,
// this one stays; a common password is refused. R-USER-5
func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s1 := must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))))
		s2 := must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword))))
		act, sid, _ := w.app.SessionActor(w.ctx, s1.Token, "")
		wantCode(t, w.app.ChangePassword(w.ctx, act, sid, "wrong current one", "a fresh passphrase", false), domain.EInvalid, "")
		wantCode(t, w.app.ChangePassword(w.ctx, act, sid, testPassword, "password1234", false), domain.EInvalid, "")
		if err := w.app.ChangePassword(w.ctx, act, sid, testPassword, "a fresh passphrase", false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.app.SessionActor(w.ctx, s1.Token, ""); err != nil {
			t.Fatalf("the session in use must stay: %v", err)
		}
		if _, _, err := w.app.SessionActor(w.ctx, s2.Token, ""); err == nil {
			t.Fatal("other sessions must end")
		}
		must(t, of(w.app.SignIn(w.ctx, creds(w.cUser.Email, "a fresh passphrase"))))
	})
}

// TestTokens_EndWithThePassword: locking a user, deleting it, resetting or
// changing its password revokes its API tokens with its sessions
// (R-USER-5); unlocking does not bring them back. A password change may
// keep them when the person says so.
func TestTokens_EndWithThePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		email := w.cUser.Email
		works := func(secret string) bool {
			_, err := w.app.Authenticate(w.ctx, secret, "")
			return err == nil
		}
		newToken := func() string {
			secret, _, err := w.app.IssueToken(w.ctx, "", email, testPassword, "cli")
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		// Lock, then unlock: the token stays revoked.
		tok := newToken()
		must(t, of(w.app.LockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		must(t, of(w.app.UnlockUser(w.ctx, w.cAdmin, w.cUser.ID)))
		if works(tok) {
			t.Fatal("a token survived a lock and unlock")
		}
		// A change of password revokes them, unless kept.
		tok = newToken()
		s := must(t, of(w.app.SignIn(w.ctx, creds(email, testPassword))))
		act, sid, _ := w.app.SessionActor(w.ctx, s.Token, "")
		if err := w.app.ChangePassword(w.ctx, act, sid, testPassword, "a second long passphrase", true); err != nil {
			t.Fatal(err)
		}
		if !works(tok) {
			t.Fatal("a kept token stopped working")
		}
		if err := w.app.ChangePassword(w.ctx, act, sid, "a second long passphrase", testPassword, false); err != nil {
			t.Fatal(err)
		}
		if works(tok) {
			t.Fatal("a token survived a password change")
		}
		// A reset revokes them too.
		tok = newToken()
		if err := w.app.RequestPasswordReset(w.ctx, "", email); err != nil {
			t.Fatal(err)
		}
		mails := w.mailed(email, domain.NoticePasswordReset)
		token := resetRE.FindStringSubmatch(mails[len(mails)-1].Body)[1]
		if err := w.app.ResetPassword(w.ctx, "", token, "a third long passphrase", false); err != nil {
			t.Fatal(err)
		}
		if works(tok) {
			t.Fatal("a token survived a password reset")
		}
	})
}
