package web

import (
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type orgsData struct {
	Orgs     []*domain.Org
	Partners []*domain.Org
}

// orgs lists the organisations the person can see: operators see partners
// and customers, partners their linked customers (R-ORG-1).
func (h *Handler) orgs(w http.ResponseWriter, r *http.Request, act app.Actor) {
	l, err := h.app.Orgs(r.Context(), act, domain.OrgFilter{Page: domain.Page{Limit: 200}})
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := orgsData{Orgs: l.Items}
	for _, o := range l.Items {
		if o.Kind == domain.OrgPartner {
			d.Partners = append(d.Partners, o)
		}
	}
	h.render(w, r, "orgs", page{Title: "Organisations", Nav: "orgs", Actor: act, Data: d})
}

func (h *Handler) createOrg(w http.ResponseWriter, r *http.Request, act app.Actor) {
	o, err := h.app.CreateOrg(r.Context(), act, app.NewOrg{Kind: domain.OrgKind(r.PostFormValue("kind")),
		Name: r.PostFormValue("name"), PartnerID: r.PostFormValue("partner_id"), Demo: r.PostFormValue("demo") == "on"})
	if err != nil {
		h.back(w, r, "/orgs", "create-org", err, "")
		return
	}
	h.back(w, r, "/orgs/"+o.ID, "", nil, "Created "+string(o.Kind)+" "+o.Name+". Invite its first administrator below.")
}

type orgData struct {
	Org   *domain.Org
	Users []*domain.User
	Sites []*domain.Site
	Roles []domain.Role
}

// org shows one organisation with its users (where the person may see
// them) and its sites.
func (h *Handler) org(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx := r.Context()
	o, err := h.app.Org(ctx, act, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := orgData{Org: o, Roles: domain.RolesFor(domain.TypeForOrg(o.Kind))}
	if l, err := h.app.Users(ctx, act, domain.UserFilter{OrgID: &o.ID, Page: domain.Page{Limit: 200}}); err == nil {
		d.Users = l.Items
	}
	if o.Kind == domain.OrgCustomer {
		if l, err := h.app.Sites(ctx, act, domain.SiteFilter{CustomerID: &o.ID, Page: domain.Page{Limit: 200}}); err == nil {
			d.Sites = l.Items
		}
	}
	h.render(w, r, "org", page{Title: o.Name, Nav: "orgs", Actor: act, Data: d})
}
