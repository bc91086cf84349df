package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/httperr"
)

// message is what a person reads about err: the rule's own message, or,
// for anything unexpected, a plain apology with the request id (the cause
// is logged by httperr.Report).
func (h *Handler) message(r *http.Request, err error) string { return h.report(r, err).Message }

// report is httperr.Report for a page's request.
func (h *Handler) report(r *http.Request, err error) httperr.Answer {
	return httperr.Report(r.Context(), h.log, err)
}

// fail shows an error page with the status of err's code: not found for
// another tenant's ids (R-ORG-1), the rule's message otherwise. A session
// that must still enrol a second factor is sent to its account page
// (R-PLUS-3).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, act app.Actor, err error) {
	if act.MFAPending() && domain.ErrorRule(err) == "R-PLUS-3" {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	a := h.report(r, err)
	if a.Status == httperr.StatusClientClosed {
		return
	}
	h.render(w, r, "error", page{Title: "Not possible", Actor: act, Error: a.Message, Status: a.Status})
}

// flash is the message a POST leaves for the page it redirects to.
type flash struct {
	OK    string `json:"ok,omitempty"`
	Error string `json:"error,omitempty"`
	Form  string `json:"form,omitempty"` // the form the refusal belongs to
	// Typed is what the person typed in the refused form, to fill it
	// again; never a password, secret or code.
	Typed map[string]string `json:"typed,omitempty"`
}

// kept reads what the person typed in a refused form: the fields that are
// safe to send back in a cookie, each cut to a reasonable length.
func kept(r *http.Request) map[string]string {
	out := map[string]string{}
	size := 0
	for k, vs := range r.PostForm {
		if len(vs) == 0 || vs[0] == "" || secretField.MatchString(k) || size > 1500 {
			continue
		}
		v := vs[0]
		if len(v) > 300 {
			v = v[:300]
		}
		out[k], size = v, size+len(k)+len(v)
	}
	return out
}

// secretField names the form fields never kept across a redirect.
var secretField = regexp.MustCompile(`(?i)password|secret|token|code|current|^new$|pem`)

// flashCookie carries a flash across one redirect. Flashes never travel in
// the query string, so no link can put words on a real page.
const flashCookie = "provisio_flash"

// back redirects after a POST: to the form's page with the refusal next
// to the form, or with a success message.
func (h *Handler) back(w http.ResponseWriter, r *http.Request, to, form string, err error, ok string) {
	f := flash{OK: ok}
	if err != nil {
		f = flash{Error: h.message(r, err), Form: form, Typed: kept(r)}
	}
	if f.OK != "" || f.Error != "" {
		b, _ := json.Marshal(f)
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
			MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure()})
	}
	if form != "" {
		to += "#" + form
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// takeFlash reads the flash left for this page and clears it.
func takeFlash(w http.ResponseWriter, r *http.Request) (flash, bool) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return flash{}, false
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	var f flash
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || json.Unmarshal(b, &f) != nil {
		return flash{}, false
	}
	return f, true
}

// Fail answers a page request that err refused, through the pages' one
// error path. It serves the server's own browser flows (external sign-in).
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) {
	h.fail(w, r, app.Actor{}, err)
}

// RefuseBack is Refuse with a link back to where the person came from (a
// site's application), in place of the dashboard.
func (h *Handler) RefuseBack(w http.ResponseWriter, r *http.Request, status int, msg, backText, back string) {
	h.render(w, r, "error", page{Title: "Not possible", Error: msg, Status: status, Back: back, BackText: backText})
}

// Refuse shows a page that says msg with the given status, for refusals
// that come from outside the app (an identity provider that did not
// answer, a sign-in started in another browser).
func (h *Handler) Refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, "error", page{Title: "Not possible", Error: msg, Status: status})
}
