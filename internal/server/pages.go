package server

import (
	"html/template"
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// The few pages a person reaches from an emailed link before the web UI
// exists: registering from an invitation and confirming a new email. They
// post a plain form, so they work without JavaScript.
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Product}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;font:inherit}.error{color:#b00020}.ok{color:#0a6b2d}</style></head><body>
<h1>{{.Product}}</h1>{{end}}
{{define "invitation"}}{{template "head" .}}
{{if .Done}}<p class="ok">You are registered as {{.Email}}. You can now sign in.</p>{{else}}
<p>Set a password to register your account.</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post"><label for="password">New password (at least {{.Min}} characters)</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="{{.Min}}">
<button type="submit">Register</button></form>{{end}}</body></html>{{end}}
{{define "email"}}{{template "head" .}}
{{if .Done}}<p class="ok">Your email address is now {{.Email}}.</p>{{else}}
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post"><p>Confirm that this is your new email address.</p><button type="submit">Confirm</button></form>{{end}}
</body></html>{{end}}
{{define "access"}}{{template "head" .}}
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>
{{else if .Done}}<p class="ok">Done: {{.Message}}</p>
{{else}}<p>{{.Message}}</p>
<form method="post"><button type="submit">{{.Button}}</button></form>{{end}}
</body></html>{{end}}
{{define "reset"}}{{template "head" .}}
{{if .Done}}<p class="ok">Your password is changed, and every session was signed out. You can sign in now.</p>{{else}}
<p>Choose a new password.</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post"><label for="password">New password (at least {{.Min}} characters)</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="{{.Min}}">
<button type="submit">Change password</button></form>{{end}}</body></html>{{end}}
`))

type pageData struct {
	Product, Email, Error string
	Message, Button       string
	Min                   int
	Done                  bool
}

func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) {
	d.Product = s.cfg.App.ProductName
	d.Min = s.cfg.App.MinPassword
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, d); err != nil {
		s.log.Error("render page", "page", name, "err", err)
	}
}

func (s *Server) invitationPage(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusOK, "invitation", pageData{})
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	u, err := s.App.AcceptInvitation(r.Context(), remoteHost(r), r.PathValue("token"), r.PostFormValue("password"))
	if err != nil {
		s.render(w, statusFor(err), "invitation", pageData{Error: safeMessage(err)})
		return
	}
	s.render(w, http.StatusOK, "invitation", pageData{Done: true, Email: u.Email})
}

func (s *Server) emailChangePage(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusOK, "email", pageData{})
}

func (s *Server) confirmEmailChange(w http.ResponseWriter, r *http.Request) {
	u, err := s.App.ConfirmEmailChange(r.Context(), appActor(r), r.PathValue("token"))
	if err != nil {
		s.render(w, statusFor(err), "email", pageData{Error: safeMessage(err)})
		return
	}
	s.render(w, http.StatusOK, "email", pageData{Done: true, Email: u.Email})
}

func safeMessage(err error) string {
	if domain.ErrorCode(err) == domain.EInternal {
		return "Something went wrong on our side. Please try again."
	}
	return err.Error()
}

func statusFor(err error) int {
	switch domain.ErrorCode(err) {
	case domain.ENotFound:
		return http.StatusNotFound
	case domain.EInternal:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// accessPage shows what a single-use link from a notice will do; nothing
// happens until the person confirms, so a mail scanner that opens links
// changes nothing.
func (s *Server) accessPage(w http.ResponseWriter, r *http.Request) {
	la, err := s.App.InspectLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.render(w, statusFor(err), "access", pageData{Error: safeMessage(err)})
		return
	}
	msg, button := describeLink(la)
	s.render(w, http.StatusOK, "access", pageData{Message: msg, Button: button})
}

func (s *Server) useAccessLink(w http.ResponseWriter, r *http.Request) {
	la, err := s.App.UseLink(r.Context(), remoteHost(r), r.PathValue("token"))
	if err != nil {
		s.render(w, statusFor(err), "access", pageData{Error: safeMessage(err)})
		return
	}
	msg, _ := describeLink(la)
	s.render(w, http.StatusOK, "access", pageData{Done: true, Message: msg})
}

func describeLink(la app.LinkAction) (msg, button string) {
	who := la.UserName
	if la.OrgName != "" {
		who += " (" + la.OrgName + ")"
	}
	switch la.Action {
	case "approve":
		return "Approve access for " + who + " to site " + la.SiteName + ". They and your fellow administrators will be told.", "Approve access"
	case "deny":
		return "Deny access for " + who + " to site " + la.SiteName + ". They will be told.", "Deny access"
	}
	return "Ask the customer to extend your access to site " + la.SiteName + ". Their administrators will be asked to approve.", "Ask to extend"
}

func (s *Server) resetPage(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusOK, "reset", pageData{})
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) {
	if err := s.App.ResetPassword(r.Context(), remoteHost(r), r.PathValue("token"), r.PostFormValue("password")); err != nil {
		s.render(w, statusFor(err), "reset", pageData{Error: safeMessage(err)})
		return
	}
	s.render(w, http.StatusOK, "reset", pageData{Done: true})
}
