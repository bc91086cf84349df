package web

import (
	"net/http"

	"github.com/provisio/provisio/internal/app"
)

// notifications shows the notices addressed to the person, newest first:
// the same as the emails, so nothing is missed without a mail server.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ns, err := h.app.Notifications(r.Context(), act)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "notifications", page{Title: "Notifications", Nav: "notifications", Actor: act, Data: ns})
}
