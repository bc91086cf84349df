package web

import (
	"net/http"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type sitesData struct {
	Sites     []*domain.Site
	Customers []*domain.Org
}

func (h *Handler) sites(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx := r.Context()
	l, err := h.app.Sites(ctx, act, domain.SiteFilter{Page: domain.Page{Limit: 200}})
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := sitesData{Sites: l.Items}
	kind := domain.OrgCustomer
	if os, err := h.app.Orgs(ctx, act, domain.OrgFilter{Kind: &kind, Page: domain.Page{Limit: 200}}); err == nil {
		d.Customers = os.Items
	}
	h.render(w, r, "sites", page{Title: "Sites", Nav: "sites", Actor: act, Data: d})
}

func (h *Handler) createSite(w http.ResponseWriter, r *http.Request, act app.Actor) {
	s, err := h.app.CreateSite(r.Context(), act, app.NewSite{CustomerID: r.PostFormValue("customer_id"), Name: r.PostFormValue("name"),
		Edition: domain.Edition(r.PostFormValue("edition")), Company: r.PostFormValue("company")})
	if err != nil {
		back(w, r, "/sites", "create-site", err, "")
		return
	}
	back(w, r, "/sites/"+s.ID, "", nil, "Site "+s.Name+" is "+string(s.State)+".")
}

type siteData struct {
	Site      *domain.Site
	Customer  *domain.Org
	Users     []*domain.SiteUser // nil when the person may not see them
	Companies []*domain.Company
	Company   map[string]string
	Members   []*domain.User // the customer's active users, to assign
	Admins    []*domain.User // who is told of changes (R-ASSIGN-2)
	Partners  []*domain.User // the partner's users, for a partner administrator
	Requests  []*domain.AccessRequest
	MyAccess  *domain.AccessDecision
	Ops       bool // the person is an operations agent of this site
}

// site is the site dashboard (R-SITE-4) with what each role may do there.
func (h *Handler) site(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx := r.Context()
	s, err := h.app.Site(ctx, act, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := siteData{Site: s, Company: map[string]string{}}
	d.Customer, _ = h.app.Org(ctx, act, s.CustomerID)
	if l, err := h.app.SiteUsers(ctx, act, s.ID, domain.Page{Limit: 200}); err == nil {
		d.Users = l.Items
	}
	if l, err := h.app.Companies(ctx, act, s.ID, domain.Page{Limit: 200}); err == nil {
		d.Companies = l.Items
		for _, c := range l.Items {
			d.Company[c.ID] = c.Name
		}
	}
	active := domain.UserActive
	if act.Org.ID == s.CustomerID {
		if l, err := h.app.Users(ctx, act, domain.UserFilter{OrgID: &s.CustomerID, State: &active, Page: domain.Page{Limit: 200}}); err == nil {
			d.Members = l.Items
			for _, u := range l.Items {
				if u.HasRole(domain.RoleCustomerAdmin) {
					d.Admins = append(d.Admins, u)
				}
			}
		}
		if dec, err := h.app.Access(ctx, act, s.ID, act.User.ID, ""); err == nil {
			d.Ops = dec.Allowed && dec.Role == domain.RoleCustomerOps
		}
	}
	if act.Org.Kind == domain.OrgPartner {
		if l, err := h.app.Users(ctx, act, domain.UserFilter{OrgID: &act.Org.ID, State: &active, Page: domain.Page{Limit: 200}}); err == nil {
			d.Partners = l.Items
		}
		if dec, err := h.app.Access(ctx, act, s.ID, act.User.ID, ""); err == nil {
			d.MyAccess = &dec
		}
	}
	pending := domain.RequestPending
	if l, err := h.app.AccessRequests(ctx, act, domain.AccessRequestFilter{SiteID: &s.ID, State: &pending}); err == nil {
		d.Requests = l.Items
	}
	h.render(w, r, "site", page{Title: s.Name, Nav: "sites", Actor: act, Data: d})
}

func siteURL(r *http.Request) string { return "/sites/" + r.PathValue("id") }

func (h *Handler) assign(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.AssignUser(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"), domain.Role(r.PostFormValue("role")))
	back(w, r, siteURL(r), "assign", err, "Assigned; the customer's administrators were told by email.")
}

func (h *Handler) unassign(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.UnassignUser(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"))
	back(w, r, siteURL(r), "users", err, "Removed from the site; the user stays in the organisation.")
}

func (h *Handler) createCompany(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.CreateCompany(r.Context(), act, r.PathValue("id"), r.PostFormValue("name"))
	back(w, r, siteURL(r), "companies", err, "Company created.")
}

func (h *Handler) assignCompany(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.AssignCompany(r.Context(), act, r.PostFormValue("company_id"), r.PostFormValue("user_id"))
	back(w, r, siteURL(r), "companies", err, "Assigned to the company.")
}

// siteState suspends, resumes, cancels or restores a site (operators).
func (h *Handler) siteState(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx, id := r.Context(), r.PathValue("id")
	var err error
	var msg string
	switch r.PostFormValue("to") {
	case "suspend":
		until, perr := time.Parse("2006-01-02", r.PostFormValue("until"))
		if perr != nil {
			err = &domain.Error{Code: domain.EInvalid, Rule: "R-SITE-1", Field: "until", Message: "give the expected end date"}
			break
		}
		_, err = h.app.SuspendSite(ctx, act, id, r.PostFormValue("reason"), until)
		msg = "Suspended; the vendor's operators were told."
	case "resume":
		_, err = h.app.ResumeSite(ctx, act, id)
		msg = "The site is ready again."
	case "cancel":
		_, err = h.app.CancelSite(ctx, act, id)
		msg = "Cancelled: the site is in stasis and can be restored until its purge date."
	case "restore":
		_, err = h.app.RestoreSite(ctx, act, id)
		msg = "Restored; the site is ready."
	default:
		err = &domain.Error{Code: domain.EInvalid, Message: "unknown site action"}
	}
	back(w, r, siteURL(r), "state", err, msg)
}

func (h *Handler) requestAccess(w http.ResponseWriter, r *http.Request, act app.Actor) {
	res, err := h.app.RequestAccess(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"), domain.Role(r.PostFormValue("role")))
	msg := "Requested: the customer's administrators were emailed to approve or deny."
	if res.Assignment != nil {
		msg = "Access granted at once (professional edition); the customer's administrators were told."
	}
	back(w, r, siteURL(r), "partner", err, msg)
}

// partnerAction revokes (customer), gives up or extends (partner) access.
func (h *Handler) partnerAction(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx, site, user := r.Context(), r.PathValue("id"), r.PostFormValue("user_id")
	var err error
	var msg string
	switch r.PathValue("action") {
	case "revoke":
		err, msg = h.app.RevokeAccess(ctx, act, site, user), "Access revoked; the partner user was told."
	case "unassign":
		err, msg = h.app.UnassignPartner(ctx, act, site, user), "Access given up; the customer's administrators were told."
	case "extend":
		_, err = h.app.RequestExtension(ctx, act, site, user)
		msg = "Extension requested: the customer's administrators must approve it."
	default:
		http.NotFound(w, r)
		return
	}
	back(w, r, siteURL(r), "partner", err, msg)
}

func (h *Handler) assignAccountant(w http.ResponseWriter, r *http.Request, act app.Actor) {
	res, err := h.app.AssignAccountant(r.Context(), act, r.PathValue("id"), r.PostFormValue("email"), r.PostFormValue("name"))
	msg := "Accountant assigned and told; your fellow administrators were told too."
	if res.Invited {
		msg = "Invitation sent: the accountant is assigned once they register."
	}
	back(w, r, siteURL(r), "accountant", err, msg)
}

type requestsData struct {
	Requests []*domain.AccessRequest
	SiteName map[string]string
}

func (h *Handler) requests(w http.ResponseWriter, r *http.Request, act app.Actor) {
	f := domain.AccessRequestFilter{Page: domain.Page{Limit: 200}}
	if s := r.URL.Query().Get("state"); s != "" {
		st := domain.RequestState(s)
		f.State = &st
	}
	l, err := h.app.AccessRequests(r.Context(), act, f)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := requestsData{Requests: l.Items, SiteName: map[string]string{}}
	if ss, err := h.app.Sites(r.Context(), act, domain.SiteFilter{Page: domain.Page{Limit: 200}}); err == nil {
		for _, s := range ss.Items {
			d.SiteName[s.ID] = s.Name
		}
	}
	h.render(w, r, "requests", page{Title: "Partner access", Nav: "requests", Actor: act, Data: d})
}

// decide approves (optionally for fewer days) or denies a request.
func (h *Handler) decide(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	var err error
	msg := "Denied; the partner user was told."
	if r.PathValue("action") == "approve" {
		var period time.Duration
		if days := r.PostFormValue("days"); days != "" && days != "0" {
			d, perr := time.ParseDuration(days + "h")
			if perr == nil {
				period = d * 24
			}
		}
		_, err = h.app.ApproveRequest(r.Context(), act, id, period)
		msg = "Approved; the partner user and your fellow administrators were told."
	} else {
		_, err = h.app.DenyRequest(r.Context(), act, id)
	}
	to := r.PostFormValue("back")
	if to == "" {
		to = "/requests"
	}
	back(w, r, safeNext(to), "request-"+id, err, msg)
}
