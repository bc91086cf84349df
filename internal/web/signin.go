package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type signinData struct {
	Email, Next string
	NeedCode    bool
}

func (h *Handler) signinPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "signin", page{Title: "Sign in", Data: signinData{Next: safeNext(r.URL.Query().Get("next"))}})
}

// SafeNext is safeNext, for the server's own browser flows.
func SafeNext(next string) string { return safeNext(next) }

// safeNext keeps a redirect on this site: next must be a path of the
// portal ("/…"), parsed with net/url, with no scheme, host or user, no
// second slash or backslash at its start, encoded or not, and no control
// or space characters, which browsers drop ("/%09/host" becomes
// "//host"). Anything else is "/".
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(next, "/") {
		return "/"
	}
	for _, part := range []string{next, u.Path} { // the text as sent, and decoded
		if strings.HasPrefix(part, "//") || strings.ContainsRune(part, '\\') || strings.IndexFunc(part, unsafeRune) >= 0 {
			return "/"
		}
	}
	if p := strings.TrimLeft(u.Path, "/"); len(u.Path)-len(p) > 1 {
		return "/"
	}
	return next
}

// unsafeRune reports characters a browser may drop or read as a
// separator in a URL: controls and spaces.
func unsafeRune(r rune) bool { return r < 0x21 || r == 0x7f || unicode.IsSpace(r) }

// signin starts a session. A wrong password and an unknown account read
// alike; an account with MFA is asked for its code on the same page.
func (h *Handler) signin(w http.ResponseWriter, r *http.Request) {
	d := signinData{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next"))}
	res, err := h.app.SignIn(r.Context(), app.Credentials{Email: d.Email, Password: r.PostFormValue("password"),
		Code: r.PostFormValue("code"), RemoteAddr: remoteHost(r), UserAgent: r.UserAgent()})
	if err != nil {
		d.NeedCode = domain.ErrorCode(err) == domain.EMFARequired || r.PostFormValue("code") != ""
		p := page{Title: "Sign in", Data: d, Form: "signin", Status: http.StatusUnauthorized}
		if domain.ErrorCode(err) != domain.EMFARequired { // not a failure: ask for the code
			a := h.report(r, err)
			p.Error, p.Status = a.Message, a.Status
		}
		h.render(w, r, "signin", p)
		return
	}
	http.SetCookie(w, h.cookie(res.Token, int(time.Until(res.Session.ExpiresAt).Seconds())))
	if res.EnrolMFA { // the second factor first, then on to where the person was going
		http.Redirect(w, r, "/account?mfa=required&next="+url.QueryEscape(d.Next), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (h *Handler) signout(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_ = h.app.SignOut(r.Context(), act, sessionOf(r).id)
	http.SetCookie(w, h.cookie("", -1))
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// sso sends a person to its organisation's identity provider, found from
// the email's domain.
func (h *Handler) sso(w http.ResponseWriter, r *http.Request) {
	orgID, err := h.app.SingleSignOn(r.Context(), r.PostFormValue("email"))
	if err != nil {
		a := h.report(r, err)
		h.render(w, r, "signin", page{Title: "Sign in", Data: signinData{Next: "/"}, Form: "sso", Error: a.Message, Status: a.Status})
		return
	}
	http.Redirect(w, r, "/auth/oidc/"+orgID+"/start?next="+url.QueryEscape(safeNext(r.PostFormValue("next"))), http.StatusSeeOther)
}
