package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// zoneCookie carries the browser's time zone (static/zone.js): the dates
// of a person who has not chosen a zone show in it.
const zoneCookie = "tz"

// location is the zone a person reads dates in: the one they chose on
// their account page, else their browser's, else UTC.
func (h *Handler) location(r *http.Request, u *domain.User) *time.Location {
	name := ""
	if u != nil {
		name = u.TimeZone
	}
	if name == "" {
		if c, err := r.Cookie(zoneCookie); err == nil && len(c.Value) <= 96 {
			name, _ = url.QueryUnescape(c.Value)
		}
	}
	if name == "" || name == "UTC" {
		return time.UTC
	}
	if loc, ok := h.zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name) // refuses names that are not in the zone database
	if err != nil {
		return time.UTC
	}
	h.zones.Store(name, loc)
	return loc
}
