package web

import (
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type dashboardData struct {
	Pending  []*domain.AccessRequest
	Grants   []app.GrantView
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
	var err error
	can := act.Can()
	if can.SeeRequests {
		pending := domain.RequestPending
		d.Pending, err = list(h.app.AccessRequests(ctx, act, domain.AccessRequestFilter{State: &pending}))
	}
	if err == nil {
		d.Grants, err = h.app.PartnerGrants(ctx, act)
	}
	if err == nil && can.ManageUsers {
		invited := domain.UserInvited
		d.Invited, err = list(h.app.Users(ctx, act, domain.UserFilter{OrgID: &act.Org.ID, State: &invited}))
	}
	if err == nil && can.ManageUsers {
		admin, active := domain.AdminRole(act.User.Type), domain.UserActive
		var admins []*domain.User
		admins, err = list(h.app.Users(ctx, act, domain.UserFilter{OrgID: &act.Org.ID, Role: &admin, State: &active}))
		d.Admins = len(admins)
	}
	if err == nil {
		d.Sites, err = list(h.app.Sites(ctx, act, domain.SiteFilter{Page: domain.Page{Limit: 100}}))
	}
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	for _, s := range d.Sites {
		d.SiteName[s.ID] = s.Name
	}
	// The sites of requests and grants beyond the first page of sites.
	var more []string
	for _, r := range d.Pending {
		more = append(more, r.SiteID)
	}
	for _, g := range d.Grants {
		more = append(more, g.SiteID)
	}
	names, err := h.app.Names(ctx, act, more)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	for id, n := range names {
		d.SiteName[id] = n
	}
	h.render(w, r, "dashboard", page{Title: "Dashboard", Nav: "dashboard", Actor: act, Data: d})
}
