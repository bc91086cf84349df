package web

import (
	"net/http"
	"strings"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// The applications of a site that sign people in through Provisio's
// OpenID provider (R-APP-2), on the site page. A confidential
// application's secret is shown once, on the answer to the form.

// newApp is an application whose secret is shown this once.
type newApp struct {
	Name, ClientID, Secret string
}

func (h *Handler) createApp(w http.ResponseWriter, r *http.Request, act app.Actor) {
	siteID := r.PathValue("id")
	secret, c, err := h.app.CreateAppClient(r.Context(), act, app.NewAppClient{SiteID: siteID, Name: r.PostFormValue("name"),
		Public: r.PostFormValue("public") == "on", RedirectURIs: strings.Fields(r.PostFormValue("redirect_uris")),
		PostLogoutURIs: strings.Fields(r.PostFormValue("post_logout_uris"))})
	if err != nil {
		h.back(w, r, "/sites/"+siteID, "apps", err, "")
		return
	}
	h.showApp(w, r, act, c, secret)
}

func (h *Handler) rotateAppSecret(w http.ResponseWriter, r *http.Request, act app.Actor) {
	secret, c, err := h.app.RotateAppClientSecret(r.Context(), act, r.PathValue("id"))
	if err != nil {
		h.back(w, r, h.tokenPage(r), "apps", err, "")
		return
	}
	h.showApp(w, r, act, c, secret)
}

func (h *Handler) deleteApp(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.DeleteAppClient(r.Context(), act, r.PathValue("id"))
	h.back(w, r, h.tokenPage(r), "apps", err, "Application removed; its tokens no longer work.")
}

// showApp answers with the site page and the application's settings,
// its secret shown once.
func (h *Handler) showApp(w http.ResponseWriter, r *http.Request, act app.Actor, c *domain.AppClient, secret string) {
	w.Header().Set("Cache-Control", "no-store")
	h.sitePageWith(w, r, act, c.SiteID, nil, &newApp{Name: c.Name, ClientID: c.ID, Secret: secret})
}
