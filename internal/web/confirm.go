package web

import (
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// confirmData is a page that asks before a consequential action: what
// will happen, an optional reason, and the button that does it. It is a
// plain form: no script needed.
type confirmData struct {
	Question    string
	Consequence string
	Action      string            // where the form posts
	Hidden      map[string]string // the action's own fields
	Button      string
	Back        string
	Told        string // who the reason is sent to, "" when nobody is told
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, act app.Actor, title string, d confirmData) {
	h.render(w, r, "confirm", page{Title: title, Nav: "", Actor: act, Data: d})
}

// confirmCancelSite asks before putting a site into stasis (R-SITE-2).
func (h *Handler) confirmCancelSite(w http.ResponseWriter, r *http.Request, act app.Actor) {
	v, err := h.app.SiteView(r.Context(), act, r.PathValue("id"))
	if err == nil && !v.Can.Cancel {
		err = domain.RuleError(domain.EForbidden, "R-SITE-2", "you may not cancel %s", v.Site.Name)
	}
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.confirm(w, r, act, "Cancel "+v.Site.Name, confirmData{
		Question:    "Cancel the site " + v.Site.Name + "?",
		Consequence: "Nobody can reach it from now on. It stays in stasis for " + v.StasisText() + ", when operators can still restore it; then it is deleted with its assignments.",
		Action:      "/sites/" + v.Site.ID + "/cancel", Button: "Cancel the site", Back: "/sites/" + v.Site.ID,
		Told: "the vendor's operators and the customer's administrators"})
}

// confirmDeleteUser asks before deleting a user (R-USER-5).
func (h *Handler) confirmDeleteUser(w http.ResponseWriter, r *http.Request, act app.Actor) {
	v, err := h.app.UserView(r.Context(), act, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.confirm(w, r, act, "Delete "+v.User.Name, confirmData{
		Question:    "Delete " + v.User.Name + " (" + v.User.Email + ")?",
		Consequence: "They lose every site assignment and can no longer sign in. The activity log keeps their history; the email address can be invited again.",
		Action:      "/users/" + v.User.ID + "/delete", Button: "Delete " + v.User.Name, Back: "/users/" + v.User.ID})
}

// siteUserName is a site and the name of someone assigned to it.
func (h *Handler) siteUserName(r *http.Request, act app.Actor, siteID, userID string) (*domain.Site, string, error) {
	s, usr, err := h.app.SiteMember(r.Context(), act, siteID, userID)
	if err != nil {
		return nil, "", err
	}
	return s, usr.Name, nil
}

// confirmRevoke asks before ending a partner user's access (R-PARTNER-4).
func (h *Handler) confirmRevoke(w http.ResponseWriter, r *http.Request, act app.Actor) {
	userID := r.URL.Query().Get("user_id")
	s, name, err := h.siteUserName(r, act, r.PathValue("id"), userID)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.confirm(w, r, act, "Revoke "+name, confirmData{
		Question:    "Revoke " + name + "'s partner access to " + s.Name + "?",
		Consequence: "It ends at once. To come back, the partner has to ask again.",
		Action:      "/sites/" + s.ID + "/partner-access/revoke", Hidden: map[string]string{"user_id": userID},
		Button: "Revoke the access", Back: "/sites/" + s.ID, Told: name})
}

// confirmRemove asks before taking a user off a site (R-ASSIGN-3).
func (h *Handler) confirmRemove(w http.ResponseWriter, r *http.Request, act app.Actor) {
	userID := r.URL.Query().Get("user_id")
	s, name, err := h.siteUserName(r, act, r.PathValue("id"), userID)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.confirm(w, r, act, "Remove "+name, confirmData{
		Question:    "Take " + name + " off " + s.Name + "?",
		Consequence: "They can no longer reach the site or its companies. They stay in your organisation and can be assigned again.",
		Action:      "/sites/" + s.ID + "/remove", Hidden: map[string]string{"user_id": userID},
		Button: "Remove from the site", Back: "/sites/" + s.ID})
}

// confirmDeny asks before refusing a partner access request (R-PARTNER-1).
func (h *Handler) confirmDeny(w http.ResponseWriter, r *http.Request, act app.Actor) {
	v, err := h.app.AccessRequestView(r.Context(), act, r.PathValue("id"))
	if err == nil && !v.CanAnswer {
		err = domain.RuleError(domain.ERule, "R-PARTNER-1", "this request is %s; there is nothing to deny", v.Request.State)
	}
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	back := safeNext(r.URL.Query().Get("back"))
	if back == "/" {
		back = "/requests"
	}
	h.confirm(w, r, act, "Deny "+v.UserName, confirmData{
		Question:    "Deny " + v.UserName + "'s request for access to " + v.SiteName + "?",
		Consequence: "They cannot reach the site; they may ask again.",
		Action:      "/requests/" + v.Request.ID + "/deny", Hidden: map[string]string{"back": back},
		Button: "Deny the request", Back: back, Told: v.UserName})
}

// confirmEndAccess asks a partner before it ends its own person's access
// to a customer's site (R-PARTNER-4).
func (h *Handler) confirmEndAccess(w http.ResponseWriter, r *http.Request, act app.Actor) {
	userID := r.URL.Query().Get("user_id")
	grants, err := h.app.PartnerGrants(r.Context(), act)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	for _, g := range grants {
		if g.UserID != userID || g.SiteID != r.PathValue("id") || !g.CanEnd {
			continue
		}
		v, err := h.app.SiteView(r.Context(), act, g.SiteID)
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
		h.confirm(w, r, act, "End "+g.UserName+"'s access", confirmData{
			Question:    "End " + g.UserName + "'s access to " + v.Site.Name + "?",
			Consequence: "It ends at once. To come back, ask the customer again.",
			Action:      "/sites/" + g.SiteID + "/partner-access/unassign", Hidden: map[string]string{"user_id": userID},
			Button: "End the access", Back: "/", Told: "the customer's administrators"})
		return
	}
	h.fail(w, r, act, domain.NotFound("partner access of user"))
}
