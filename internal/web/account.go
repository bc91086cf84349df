package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type mailboxData struct {
	Notices []*domain.Notice
	Pager   pager
}

func (h *Handler) mailbox(w http.ResponseWriter, r *http.Request, act app.Actor) {
	f := domain.NoticeFilter{Page: listPage(r)}
	if to := r.URL.Query().Get("to"); to != "" {
		to = domain.NormalizeEmail(to)
		f.ToEmail = &to
	}
	l, err := h.app.Mailbox(r.Context(), act, f)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "mailbox", page{Title: "Mailbox", Nav: "mailbox", Actor: act, Data: mailboxData{Notices: l.Items, Pager: pagerFor(r, l, "notices")}})
}

func (h *Handler) mail(w http.ResponseWriter, r *http.Request, act app.Actor) {
	n, err := h.app.Notice(r.Context(), act, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "mail", page{Title: n.Subject, Nav: "mailbox", Actor: act, Data: n})
}

type accountData struct {
	Sessions   []*domain.Session
	Tokens     []*domain.APIToken
	Current    string
	Enrolment  *app.TOTPEnrolment
	QR         template.URL // a data: URL of our own PNG, safe to put in src
	Recovery   []string
	NewToken   string
	MFARequire bool
	MFAError   string // a refused first code, shown beside the enrolment it belongs to
	Next       string // where to continue once enrolled (a site application's sign-in, say)
	MFA        app.MFAStatus
	Renewed    bool // Recovery holds codes that replaced earlier ones
}

func (h *Handler) account(w http.ResponseWriter, r *http.Request, act app.Actor) {
	h.renderAccount(w, r, act, accountData{})
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, act app.Actor, d accountData) {
	var err error
	if d.Sessions, err = h.app.Sessions(r.Context(), act); err == nil {
		d.Tokens, err = h.app.Tokens(r.Context(), act)
	}
	if err == nil {
		d.MFA, err = h.app.MFA(r.Context(), act)
	}
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d.Current = sessionOf(r).id
	d.MFARequire = act.MFAPending()
	if next := r.FormValue("next"); next != "" {
		d.Next = safeNext(next)
	}
	if d.Enrolment != nil {
		d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(d.Enrolment.QRCode))
	}
	h.render(w, r, "account", page{Title: "Your account", Nav: "account", Actor: act, Data: d})
}

// accountAction handles the account page's forms: MFA, sessions, tokens.
func (h *Handler) accountAction(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx := r.Context()
	switch r.PathValue("action") {
	case "mfa-start":
		e, err := h.app.StartTOTP(ctx, act)
		if err != nil {
			h.back(w, r, "/account", "mfa", err, "")
			return
		}
		h.renderAccount(w, r, act, accountData{Enrolment: e})
	case "mfa-confirm":
		codes, err := h.app.ConfirmTOTP(ctx, act, sessionOf(r).id, strings.TrimSpace(r.PostFormValue("code")))
		if err != nil {
			// A wrong first code keeps the same secret: the person tries the
			// next code from the app they already set up.
			if e, perr := h.app.PendingTOTP(ctx, act); perr == nil && domain.ErrorCode(err) == domain.EInvalid {
				h.renderAccount(w, r, act, accountData{Enrolment: e, MFAError: h.message(r, err)})
				return
			}
			h.back(w, r, "/account", "mfa", err, "")
			return
		}
		h.renderAccount(w, r, act, accountData{Recovery: codes})
	case "password":
		err := h.app.ChangePassword(ctx, act, sessionOf(r).id, r.PostFormValue("current"), r.PostFormValue("new"),
			r.PostFormValue("keep_tokens") == "on")
		h.back(w, r, "/account", "password", err, "Password changed; your other sessions were signed out.")
	case "time-zone":
		err := h.app.SetTimeZone(ctx, act, r.PostFormValue("time_zone"))
		h.back(w, r, "/account", "time-zone", err, "Dates are now shown in your time zone, here and in your emails.")
	case "session-revoke":
		h.back(w, r, "/account", "sessions", h.app.RevokeSession(ctx, act, r.PostFormValue("id")), "Session ended.")
	case "token-create":
		c := app.Credentials{Email: act.User.Email, Password: r.PostFormValue("password"), Code: r.PostFormValue("code"),
			RemoteAddr: remoteHost(r), UserAgent: r.UserAgent()}
		secret, _, err := h.app.NewToken(ctx, c, r.PostFormValue("name"))
		if err != nil {
			h.back(w, r, "/account", "tokens", err, "")
			return
		}
		h.renderAccount(w, r, act, accountData{NewToken: secret})
	case "mfa-codes":
		codes, err := h.app.NewRecoveryCodes(ctx, act, strings.TrimSpace(r.PostFormValue("code")))
		if err != nil {
			h.back(w, r, "/account", "mfa", err, "")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h.renderAccount(w, r, act, accountData{Recovery: codes, Renewed: true})
	case "mfa-remove":
		err := h.app.RemoveTOTP(ctx, act, strings.TrimSpace(r.PostFormValue("code")))
		h.back(w, r, "/account", "mfa", err, "Authenticator removed: you sign in with your password only.")
	case "token-revoke":
		h.back(w, r, "/account", "tokens", h.app.RevokeToken(ctx, act, r.PostFormValue("id")), "Token revoked.")
	default:
		http.NotFound(w, r)
	}
}
