package web

import (
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type dashboardData struct {
	Pending  []*domain.AccessRequest
	Grants   []*domain.SiteUser
	Invited  []*domain.User
	Sites    []*domain.Site
	Admins   int // active administrators of the actor's organisation
	SiteName map[string]string
}

// dashboard shows what needs the person's attention: requests to answer,
// partner access that is running, invitations nobody accepted.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx := r.Context()
	d := dashboardData{SiteName: map[string]string{}}
	pending := domain.RequestPending
	if act.Can().SeeRequests {
		if l, err := h.app.AccessRequests(ctx, act, domain.AccessRequestFilter{State: &pending}); err == nil {
			d.Pending = l.Items
		}
	}
	d.Grants, _ = h.app.PartnerGrants(ctx, act)
	if act.Can().ManageUsers {
		invited := domain.UserInvited
		if l, err := h.app.Users(ctx, act, domain.UserFilter{OrgID: &act.Org.ID, State: &invited}); err == nil {
			d.Invited = l.Items
		}
		admin := domain.AdminRole(act.User.Type)
		if l, err := h.app.Users(ctx, act, domain.UserFilter{OrgID: &act.Org.ID, Role: &admin}); err == nil {
			for _, u := range l.Items {
				if u.State == domain.UserActive {
					d.Admins++
				}
			}
		}
	}
	if l, err := h.app.Sites(ctx, act, domain.SiteFilter{Page: domain.Page{Limit: 100}}); err == nil {
		d.Sites = l.Items
		for _, s := range l.Items {
			d.SiteName[s.ID] = s.Name
		}
	}
	h.render(w, r, "dashboard", page{Title: "Dashboard", Nav: "dashboard", Actor: act, Data: d})
}
