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

type timelineData struct {
	User     *domain.User
	From, To time.Time
	Spans    []app.AccessSpan
}

// userHistory shows which sites a user could reach between two days
// (UTC, the last 90 days by default), from the activity log.
func (h *Handler) userHistory(w http.ResponseWriter, r *http.Request, act app.Actor) {
	v, err := h.app.UserView(r.Context(), act, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	to := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := to.Add(-90 * 24 * time.Hour)
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if s := r.URL.Query().Get(f.name); s != "" {
			if *f.t, err = time.Parse(time.DateOnly, s); err != nil {
				h.fail(w, r, act, &domain.Error{Code: domain.EInvalid, Field: f.name, Message: "give " + f.name + " as a date, e.g. 2026-11-30"})
				return
			}
		}
	}
	spans, err := h.app.UserAccessBetween(r.Context(), act, v.User.ID, from, to)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "timeline", page{Title: "Access history of " + v.User.Name, Nav: "users", Actor: act,
		Data: timelineData{User: v.User, From: from, To: to, Spans: spans}})
}
