package web

import (
	"net/http"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type historyData struct {
	Site *domain.Site
	At   time.Time
	Rows []app.AccessAt
}

// siteHistory answers who could reach a site at a moment (UTC), from the
// activity log.
func (h *Handler) siteHistory(w http.ResponseWriter, r *http.Request, act app.Actor) {
	v, err := h.app.SiteView(r.Context(), act, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	at := time.Now().UTC()
	if s := r.URL.Query().Get("at"); s != "" {
		if at, err = time.Parse("2006-01-02T15:04", s); err != nil {
			h.fail(w, r, act, &domain.Error{Code: domain.EInvalid, Field: "at",
				Message: "give the moment as a date and time, e.g. 2026-11-30T14:00 (UTC)"})
			return
		}
	}
	rows, err := h.app.SiteAccessAt(r.Context(), act, v.Site.ID, at)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "history", page{Title: "Access history of " + v.Site.Name, Nav: "sites", Actor: act,
		Data: historyData{Site: v.Site, At: at, Rows: rows}})
}
