package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// Session is a sign-in kept by the server.
type Session struct {
	ID         string    `json:"id" doc:"the session's id" example:"ses_01kmjepsd06fxpf4n50r4gaavf"`
	Via        string    `json:"via" enum:"password,oidc" doc:"how you signed in: with your password, or through your organisation's identity provider" example:"password"`
	MFA        bool      `json:"mfa" doc:"the second factor was given, or none is needed" example:"true"`
	RemoteAddr string    `json:"remote_addr" doc:"the address the session was started from" example:"203.0.113.24"`
	UserAgent  string    `json:"user_agent" doc:"the browser or program that started it" example:"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/136.0"`
	CreatedAt  time.Time `json:"created_at" doc:"when the session started" example:"2026-03-02T09:15:00Z"`
	LastSeenAt time.Time `json:"last_seen_at" doc:"when the session was last used" example:"2026-03-02T11:42:00Z"`
	ExpiresAt  time.Time `json:"expires_at" doc:"when the session ends unless used" example:"2026-03-02T21:15:00Z"`
	Current    bool      `json:"current,omitempty" doc:"the session this request came with" example:"true"`
}

func sessionOut(s *domain.Session, current string) Session {
	return Session{ID: s.ID, Via: s.Via, MFA: s.MFAOK, RemoteAddr: s.RemoteAddr, UserAgent: s.UserAgent,
		CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, Current: s.ID == current}
}

type signInIn struct {
	UserAgent string `header:"User-Agent" doc:"the browser or program signing in, shown in your list of sessions" example:"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/136.0"`
	Body      struct {
		Email    string `json:"email" doc:"your email address" example:"maria.lopez@harbour-dental.example"`
		Password string `json:"password" doc:"your password" example:"correct horse battery staple"`
		Code     string `json:"code,omitempty" doc:"a code from the authenticator app, or a recovery code (R-PLUS-3)" example:"492817"`
	}
}

// SignedIn is a new session. Token is the session's secret: browsers get
// it as an HttpOnly cookie; other clients may send it as a bearer token.
type SignedIn struct {
	Session  Session `json:"session" doc:"the new session"`
	User     User    `json:"user" doc:"the user signed in"`
	Token    string  `json:"token" doc:"the session's secret, also set as an HttpOnly cookie; send it as Authorization: Bearer from other clients" example:"pvs_IggVdZwWyleeuSfykgqVaqCWWymPRSmA-Fc96EHO8WM"`
	EnrolMFA bool    `json:"enrol_mfa" doc:"the account must enrol a second factor before anything else (R-PLUS-3)" example:"false"`
}

type signInOut struct {
	SetCookie http.Cookie `header:"Set-Cookie" doc:"the session cookie, HttpOnly, SameSite=Lax, and Secure over https" example:"provisio_session=pvs_IggVdZwWyleeuSfykgqVaqCWWymPRSmA-Fc96EHO8WM; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Lax"`
	Body      SignedIn
}

func (s *Server) cookie(value string, maxAge int) http.Cookie {
	return *identity.NewSessionCookie(value, maxAge, strings.HasPrefix(s.app.Config().BaseURL, "https://"))
}

// signIn starts a session with a fresh token, so a token planted before
// sign-in is never promoted (session fixation).
func (s *Server) signIn(ctx context.Context, act app.Actor, in *signInIn) (*signInOut, error) {
	res, err := s.app.SignIn(ctx, app.Credentials{Email: in.Body.Email, Password: in.Body.Password, Code: in.Body.Code,
		RemoteAddr: act.RemoteAddr, UserAgent: in.UserAgent})
	if err != nil {
		return nil, err
	}
	maxAge := int(time.Until(res.Session.ExpiresAt).Seconds())
	return &signInOut{SetCookie: s.cookie(res.Token, maxAge), Body: SignedIn{Session: sessionOut(res.Session, res.Session.ID),
		User: userOut(res.User), Token: res.Token, EnrolMFA: res.EnrolMFA}}, nil
}

type signOutOut struct {
	SetCookie http.Cookie `header:"Set-Cookie" doc:"clears the session cookie" example:"provisio_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"`
}

func (s *Server) signOut(ctx context.Context, act app.Actor, _ *struct{}) (*signOutOut, error) {
	if id := sessionOf(ctx); id != "" {
		if err := s.app.SignOut(ctx, act, id); err != nil {
			return nil, err
		}
	}
	return &signOutOut{SetCookie: s.cookie("", -1)}, nil
}

func (s *Server) listSessions(ctx context.Context, act app.Actor, _ *struct{}) (*body[Page[Session]], error) {
	ss, err := s.app.Sessions(ctx, act)
	if err != nil {
		return nil, err
	}
	out := Page[Session]{Items: []Session{}}
	for _, x := range ss {
		out.Items = append(out.Items, sessionOut(x, sessionOf(ctx)))
	}
	return reply(out), nil
}

func (s *Server) revokeSession(ctx context.Context, act app.Actor, in *idIn) (*struct{}, error) {
	return nil, s.app.RevokeSession(ctx, act, in.ID)
}

// TOTPEnrolment is a started authenticator enrolment.
type TOTPEnrolment struct {
	Secret string `json:"secret" doc:"base32 secret, for typing into the app" example:"HCW5ZZJ3LXLQCPIJ76EYJ3YBZBHHABLK"`
	URL    string `json:"url" doc:"otpauth:// URL" example:"otpauth://totp/Provisio:maria.lopez@harbour-dental.example?secret=HCW5ZZJ3LXLQCPIJ76EYJ3YBZBHHABLK&issuer=Provisio"`
	QRCode []byte `json:"qr_code_png" doc:"PNG of a QR code of the URL (base64 in JSON)" example:"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="`
}

func (s *Server) startTOTP(ctx context.Context, act app.Actor, _ *struct{}) (*body[TOTPEnrolment], error) {
	e, err := s.app.StartTOTP(ctx, act)
	if err != nil {
		return nil, err
	}
	return reply(TOTPEnrolment{Secret: e.Secret, URL: e.URL, QRCode: e.QRCode}), nil
}

type codeIn struct {
	Body struct {
		Code string `json:"code" doc:"a code from your authenticator app" example:"492817"`
	}
}

// RecoveryCodes are single-use codes for when the app is lost: shown once.
type RecoveryCodes struct {
	Codes []string `json:"recovery_codes" doc:"ten codes, each good for one sign-in without the app; keep them somewhere safe" example:"[\"k7p2-9xq4-m3rt\",\"w8dz-2hfn-6cya\"]"`
}

func (s *Server) confirmTOTP(ctx context.Context, act app.Actor, in *codeIn) (*body[RecoveryCodes], error) {
	codes, err := s.app.ConfirmTOTP(ctx, act, sessionOf(ctx), in.Body.Code)
	if err != nil {
		return nil, err
	}
	return reply(RecoveryCodes{Codes: codes}), nil
}

func (s *Server) removeTOTP(ctx context.Context, act app.Actor, in *codeIn) (*struct{}, error) {
	return nil, s.app.RemoveTOTP(ctx, act, in.Body.Code)
}

type resetRequestIn struct {
	Body struct {
		Email string `json:"email" doc:"the email address of the account" example:"maria.lopez@harbour-dental.example"`
	}
}

func (s *Server) requestReset(ctx context.Context, act app.Actor, in *resetRequestIn) (*struct{}, error) {
	return nil, s.app.RequestPasswordReset(ctx, act.RemoteAddr, in.Body.Email)
}

type resetIn struct {
	Body struct {
		Token    string `json:"token" doc:"the token from the reset link (after /password-resets/)" example:"rst_p6FAadCjmvtyUG6o-MFk1CisXkVbmE34H2ki5ypU6GU"`
		Password string `json:"password" doc:"the new password: long enough and not a common one" example:"correct horse battery staple"`
		// KeepTokens keeps the user's API tokens working; by default a
		// reset revokes them with every session (R-USER-5).
		KeepTokens bool `json:"keep_tokens,omitempty" doc:"keep your API tokens working (default: they are revoked)" example:"false"`
	}
}

func (s *Server) resetPassword(ctx context.Context, act app.Actor, in *resetIn) (*struct{}, error) {
	return nil, s.app.ResetPassword(ctx, act.RemoteAddr, in.Body.Token, in.Body.Password, in.Body.KeepTokens)
}
