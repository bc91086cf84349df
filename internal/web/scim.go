package web

import (
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// SCIM in the web UI (R-APP-1, R-APP-4): tokens for an organisation's
// identity provider and for a site's application, and the mapping from
// the provider's groups to roles. A new token's secret is shown once, on
// the page that answers the form, never in a redirect.

// createSCIMToken creates a token for the organisation or, for a site,
// its application.
func (h *Handler) createSCIMToken(site bool) func(http.ResponseWriter, *http.Request, app.Actor) {
	return func(w http.ResponseWriter, r *http.Request, act app.Actor) {
		in := app.NewSCIMToken{Name: r.PostFormValue("name")}
		back := "/orgs/" + r.PathValue("id")
		if site {
			in.SiteID, back = r.PathValue("id"), "/sites/"+r.PathValue("id")
		} else {
			in.OrgID = r.PathValue("id")
		}
		secret, t, err := h.app.CreateSCIMToken(r.Context(), act, in)
		if err != nil {
			h.back(w, r, back, "scim", err, "")
			return
		}
		h.showToken(w, r, act, t, secret)
	}
}

func (h *Handler) rotateSCIMToken(w http.ResponseWriter, r *http.Request, act app.Actor) {
	secret, t, err := h.app.RotateSCIMToken(r.Context(), act, r.PathValue("id"))
	if err != nil {
		h.back(w, r, h.tokenPage(r), "scim", err, "")
		return
	}
	h.showToken(w, r, act, t, secret)
}

func (h *Handler) revokeSCIMToken(w http.ResponseWriter, r *http.Request, act app.Actor) {
	t, err := h.app.RevokeSCIMToken(r.Context(), act, r.PathValue("id"))
	msg := ""
	if err == nil {
		msg = "Token " + t.Name + " revoked: its client can no longer call."
	}
	h.back(w, r, h.tokenPage(r), "scim", err, msg)
}

// tokenPage is the page a token form came from: the organisation's or
// the site's, as the form says; anything else goes home.
func (h *Handler) tokenPage(r *http.Request) string {
	if b := r.PostFormValue("back"); strings.HasPrefix(b, "/orgs/") || strings.HasPrefix(b, "/sites/") {
		return b
	}
	return "/"
}

// showToken answers with the token's page and its secret, shown once.
func (h *Handler) showToken(w http.ResponseWriter, r *http.Request, act app.Actor, t *domain.SCIMToken, secret string) {
	nt := &newToken{Name: t.Name, Secret: secret, URL: h.app.Config().BaseURL + "/scim/v2"}
	w.Header().Set("Cache-Control", "no-store")
	if t.SiteID != "" {
		h.sitePage(w, r, act, t.SiteID, nt)
		return
	}
	h.orgPage(w, r, act, t.OrgID, nt)
}

// setGroupRoles replaces the mapping from lines "group = role".
func (h *Handler) setGroupRoles(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	var m []domain.GroupRole
	for _, line := range strings.Split(r.PostFormValue("mapping"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		group, role, ok := strings.Cut(line, "=")
		if !ok {
			h.back(w, r, "/orgs/"+id, "group-roles", &domain.Error{Code: domain.EInvalid, Field: "mapping",
				Message: "write one mapping a line, as: group name = role (" + line + ")"}, "")
			return
		}
		m = append(m, domain.GroupRole{Group: strings.TrimSpace(group), Role: domain.Role(strings.TrimSpace(role))})
	}
	_, err := h.app.SetGroupRoles(r.Context(), act, id, m)
	h.back(w, r, "/orgs/"+id, "group-roles", err, "Group roles saved; provisioned users hold their groups' roles now.")
}
