package web

import (
	"net/http"

	"github.com/provisio/provisio/internal/app"
)

// The pages a person reaches from an emailed link, signed in or not:
// registering from an invitation, confirming a new email, resetting a
// password, and answering partner access. They post a plain form, so they
// work without JavaScript, and they answer errors through the same path
// as every other page.

type linkData struct {
	Email, Message, Button string
	Min                    int
	Done                   bool
}

// link renders one of the link pages; err, when set, is shown next to its
// form with the status of its code.
func (h *Handler) link(w http.ResponseWriter, r *http.Request, view string, d linkData, err error) {
	d.Min = h.app.Config().MinPassword
	p := page{Title: "Provisio", Data: d}
	if err != nil {
		a := h.report(r, err)
		p.Error, p.Form, p.Status = a.Message, "link", a.Status
	}
	h.render(w, r, view, p)
}

func (h *Handler) invitationPage(w http.ResponseWriter, r *http.Request) {
	h.link(w, r, "invitation", linkData{}, nil)
}

func (h *Handler) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	u, err := h.app.AcceptInvitation(r.Context(), remoteHost(r), r.PathValue("token"), r.PostFormValue("password"))
	if err != nil {
		h.link(w, r, "invitation", linkData{}, err)
		return
	}
	h.link(w, r, "invitation", linkData{Done: true, Email: u.Email}, nil)
}

func (h *Handler) emailChangePage(w http.ResponseWriter, r *http.Request) {
	h.link(w, r, "email", linkData{}, nil)
}

func (h *Handler) confirmEmailChange(w http.ResponseWriter, r *http.Request) {
	u, err := h.app.ConfirmEmailChange(r.Context(), app.Actor{RemoteAddr: remoteHost(r)}, r.PathValue("token"))
	if err != nil {
		h.link(w, r, "email", linkData{}, err)
		return
	}
	h.link(w, r, "email", linkData{Done: true, Email: u.Email}, nil)
}

// forgotPage asks for the email to send a reset link to.
func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request) {
	h.link(w, r, "forgot", linkData{}, nil)
}

// forgot mails a reset link. The answer is the same whether or not an
// account uses the address, and whether or not the limits were reached.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	if err := h.app.RequestPasswordReset(r.Context(), remoteHost(r), email); err != nil {
		h.link(w, r, "forgot", linkData{Email: email}, err)
		return
	}
	h.link(w, r, "forgot", linkData{Done: true, Email: email}, nil)
}

func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) {
	h.link(w, r, "reset", linkData{}, nil)
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) {
	if err := h.app.ResetPassword(r.Context(), remoteHost(r), r.PathValue("token"), r.PostFormValue("password"),
		r.PostFormValue("keep_tokens") == "on"); err != nil {
		h.link(w, r, "reset", linkData{}, err)
		return
	}
	h.link(w, r, "reset", linkData{Done: true}, nil)
}

// accessPage shows what a single-use link from a notice will do; nothing
// happens until the person confirms, so a mail scanner that opens links
// changes nothing.
func (h *Handler) accessPage(w http.ResponseWriter, r *http.Request) {
	la, err := h.app.InspectLink(r.Context(), r.PathValue("token"))
	if err != nil {
		h.link(w, r, "access", linkData{}, err)
		return
	}
	msg, button := describeLink(la)
	h.link(w, r, "access", linkData{Message: msg, Button: button}, nil)
}

func (h *Handler) useAccessLink(w http.ResponseWriter, r *http.Request) {
	la, err := h.app.UseLink(r.Context(), remoteHost(r), r.PathValue("token"))
	if err != nil {
		h.link(w, r, "access", linkData{}, err)
		return
	}
	msg, _ := describeLink(la)
	h.link(w, r, "access", linkData{Done: true, Message: msg}, nil)
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
