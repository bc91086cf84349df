package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type sitesData struct {
	Pager     pager
	Sites     []*domain.Site
	Customers []*domain.Org
	Names     map[string]string // customers' names by id
}

func (h *Handler) sites(w http.ResponseWriter, r *http.Request, act app.Actor) {
	ctx := r.Context()
	l, err := h.app.Sites(ctx, act, domain.SiteFilter{Search: search(r), Page: listPage(r)})
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	d := sitesData{Sites: l.Items, Pager: pagerFor(r, l, "sites")}
	var customers []string
	for _, s := range l.Items {
		customers = append(customers, s.CustomerID)
	}
	if d.Names, err = h.app.Names(ctx, act, customers); err != nil {
		h.fail(w, r, act, err)
		return
	}
	if act.Can().CreateSites {
		kind := domain.OrgCustomer
		if d.Customers, err = list(h.app.Orgs(ctx, act, domain.OrgFilter{Kind: &kind, Page: domain.Page{Limit: domain.MaxPageSize}})); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	h.render(w, r, "sites", page{Title: "Sites", Nav: "sites", Actor: act, Data: d})
}

func (h *Handler) createSite(w http.ResponseWriter, r *http.Request, act app.Actor) {
	s, err := h.app.CreateSite(r.Context(), act, app.NewSite{CustomerID: r.PostFormValue("customer_id"), Name: r.PostFormValue("name"),
		Edition: domain.Edition(r.PostFormValue("edition")), Company: r.PostFormValue("company")})
	if err != nil {
		h.back(w, r, "/sites", "create-site", err, "")
		return
	}
	h.back(w, r, "/sites/"+s.ID, "", nil, "Site "+s.Name+" is "+string(s.State)+".")
}

type siteData struct {
	app.SiteView
	Users     []*domain.SiteUser // nil when the person may not see them
	Companies []*domain.Company
	Company   map[string]string
	// Staff are the users of each company, by its id, for its operations
	// agents to take off.
	Staff     map[string][]*domain.SiteUser
	Members   []*domain.User // the customer's active users, to assign
	Requests  []*domain.AccessRequest
	Requester map[string]string // names of the requests' partner users
	MyAccess  *domain.AccessDecision
	// The site's application (R-APP-1): its tokens, its users as it
	// sees them, and a token's secret just made, shown this once.
	AppTokens []*domain.SCIMToken
	AppLinks  app.SiteLinks
	NewToken  *newToken
	// The applications that sign people in through Provisio (R-APP-2),
	// and one just registered or given a new secret, shown this once.
	Apps   []*domain.AppClient
	NewApp *newApp
	Issuer string
	// Calls are the latest events sent to the site provisioner (R-SITE-0).
	Calls []*domain.ProvisionerCall
	// The site's directory and the accounts in it (R-APP-3).
	Directory *domain.SiteDirectory
	Accounts  []*domain.DirectoryAccount
}

// site is the site dashboard (R-SITE-4). What each person may do there is
// the app's SiteView; the page only shows it.
func (h *Handler) site(w http.ResponseWriter, r *http.Request, act app.Actor) {
	h.sitePage(w, r, act, r.PathValue("id"), nil)
}

func (h *Handler) sitePage(w http.ResponseWriter, r *http.Request, act app.Actor, id string, nt *newToken) {
	h.sitePageWith(w, r, act, id, nt, nil)
}

func (h *Handler) sitePageWith(w http.ResponseWriter, r *http.Request, act app.Actor, id string, nt *newToken, na *newApp) {
	ctx := r.Context()
	v, err := h.app.SiteView(ctx, act, id)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	s := v.Site
	d := siteData{SiteView: v, Company: map[string]string{}, Requester: map[string]string{}, NewToken: nt, NewApp: na,
		Issuer: h.app.Config().BaseURL}
	if v.Can.ManageAppTokens {
		if d.AppTokens, err = h.app.SCIMTokens(ctx, act, "", s.ID); err == nil {
			d.AppLinks, err = h.app.SiteLinks(ctx, act, s.ID, 1, domain.MaxPageSize)
		}
		if err == nil {
			d.Apps, err = h.app.AppClients(ctx, act, s.ID)
		}
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if v.Can.SeeProvisioning {
		if d.Calls, err = h.app.ProvisionerCalls(ctx, act, s.ID); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if v.Can.SeeDirectory && s.Edition == domain.EditionProfessional {
		if d.Directory, err = h.app.SiteDirectory(ctx, act, s.ID); domain.ErrorCode(err) == domain.ENotFound {
			d.Directory, err = nil, nil
		}
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if v.Can.SeeDirectoryAccounts && s.Edition == domain.EditionProfessional {
		if d.Accounts, err = h.app.SiteDirectoryAccounts(ctx, act, s.ID); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	pg := domain.Page{Limit: domain.MaxPageSize}
	if v.Can.SeeUsers {
		if d.Users, err = list(h.app.SiteUsers(ctx, act, s.ID, pg)); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if d.Companies, err = list(h.app.Companies(ctx, act, s.ID, pg)); err != nil {
		h.fail(w, r, act, err)
		return
	}
	for _, c := range d.Companies {
		d.Company[c.ID] = c.Name
	}
	d.Staff = map[string][]*domain.SiteUser{}
	for _, su := range d.Users {
		for _, c := range su.Companies {
			d.Staff[c] = append(d.Staff[c], su)
		}
	}
	if v.Can.AssignUsers {
		active := domain.UserActive
		if d.Members, err = list(h.app.Users(ctx, act, domain.UserFilter{OrgID: &s.CustomerID, State: &active, Page: pg})); err != nil {
			h.fail(w, r, act, err)
			return
		}
	}
	if v.Can.RequestPartnerAccess {
		dec, err := h.app.Access(ctx, act, s.ID, act.User.ID, "")
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
		d.MyAccess = &dec
	}
	if v.Can.AnswerRequests || v.Can.RequestPartnerAccess {
		pending := domain.RequestPending
		l, err := h.app.AccessRequestViews(ctx, act, domain.AccessRequestFilter{SiteID: &s.ID, State: &pending, Page: pg})
		if err != nil {
			h.fail(w, r, act, err)
			return
		}
		for _, rv := range l.Items {
			d.Requests = append(d.Requests, rv.Request)
			d.Requester[rv.Request.ID] = rv.UserName
		}
	}
	h.render(w, r, "site", page{Title: s.Name, Nav: "sites", Actor: act, Data: d})
}

// list keeps the items of a list use case's answer.
func list[T any](l domain.List[T], err error) ([]T, error) { return l.Items, err }

func siteURL(r *http.Request) string { return "/sites/" + r.PathValue("id") }

func (h *Handler) assign(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.AssignUser(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"), domain.Role(r.PostFormValue("role")))
	h.back(w, r, siteURL(r), "assign", err, "Assigned; the customer's administrators were told by email.")
}

func (h *Handler) unassign(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.UnassignUser(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"), r.PostFormValue("reason"))
	h.back(w, r, siteURL(r), "users", err, "Removed from the site; the user stays in the organisation.")
}

func (h *Handler) createCompany(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.CreateCompany(r.Context(), act, r.PathValue("id"), r.PostFormValue("name"))
	h.back(w, r, siteURL(r), "companies", err, "Company created.")
}

// renameCompany renames a site's company (its operations agents, R-SITE-3).
func (h *Handler) renameCompany(w http.ResponseWriter, r *http.Request, act app.Actor) {
	c, err := h.app.RenameCompany(r.Context(), act, r.PathValue("company"), r.PostFormValue("name"))
	msg := ""
	if err == nil {
		msg = "Renamed to " + c.Name + "."
	}
	h.back(w, r, siteURL(r), "companies", err, msg)
}

// unassignCompany takes a user off a company; they stay on the site.
func (h *Handler) unassignCompany(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.UnassignCompany(r.Context(), act, r.PostFormValue("company_id"), r.PostFormValue("user_id"))
	h.back(w, r, siteURL(r), "companies", err, "Taken off the company; they stay on the site.")
}

func (h *Handler) assignCompany(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.AssignCompany(r.Context(), act, r.PostFormValue("company_id"), r.PostFormValue("user_id"))
	h.back(w, r, siteURL(r), "companies", err, "Assigned to the company.")
}

// suspendSite suspends a ready site with a reason and an expected end
// (R-SITE-1; operators).
func (h *Handler) suspendSite(w http.ResponseWriter, r *http.Request, act app.Actor) {
	until, err := time.Parse("2006-01-02", r.PostFormValue("until"))
	if err != nil {
		h.back(w, r, siteURL(r), "state", &domain.Error{Code: domain.EInvalid, Rule: "R-SITE-1", Field: "until",
			Message: "give the expected end date as a date (YYYY-MM-DD)"}, "")
		return
	}
	_, err = h.app.SuspendSite(r.Context(), act, r.PathValue("id"), r.PostFormValue("reason"), until)
	h.back(w, r, siteURL(r), "state", err, "Suspended; the vendor's operators were told.")
}

func (h *Handler) resumeSite(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.ResumeSite(r.Context(), act, r.PathValue("id"))
	h.back(w, r, siteURL(r), "state", err, "The site is ready again.")
}

func (h *Handler) cancelSite(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.CancelSite(r.Context(), act, r.PathValue("id"), r.PostFormValue("reason"))
	h.back(w, r, siteURL(r), "state", err, "Cancelled: the site is in stasis and can be restored until its purge date.")
}

func (h *Handler) restoreSite(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.RestoreSite(r.Context(), act, r.PathValue("id"))
	h.back(w, r, siteURL(r), "state", err, "Restored; the site is ready.")
}

func (h *Handler) retryProvisioning(w http.ResponseWriter, r *http.Request, act app.Actor) {
	s, err := h.app.RetryProvisioning(r.Context(), act, r.PathValue("id"))
	msg := "Asked the provisioner again; the site shows ready once it answers."
	if err == nil && s.State == domain.SiteReady {
		msg = "Provisioned; the site is ready."
	}
	h.back(w, r, siteURL(r), "provisioning", err, msg)
}

func (h *Handler) requestAccess(w http.ResponseWriter, r *http.Request, act app.Actor) {
	res, err := h.app.RequestAccess(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"), domain.Role(r.PostFormValue("role")))
	msg := "Requested: the customer's administrators were emailed to approve or deny."
	if res.Assignment != nil {
		msg = "Access granted at once (professional edition); the customer's administrators were told."
	}
	h.back(w, r, siteURL(r), "partner", err, msg)
}

// revokeAccess ends a partner user's access at once (R-PARTNER-4; the
// customer's administrators).
func (h *Handler) revokeAccess(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.RevokeAccess(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"), r.PostFormValue("reason"))
	h.back(w, r, siteURL(r), "partner", err, "Access revoked; the partner user was told.")
}

// giveUpAccess lets a partner drop its own or its agent's access
// (R-PARTNER-4).
func (h *Handler) giveUpAccess(w http.ResponseWriter, r *http.Request, act app.Actor) {
	err := h.app.UnassignPartner(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"), r.PostFormValue("reason"))
	h.back(w, r, siteURL(r), "partner", err, "Access given up; the customer's administrators were told.")
}

// extendAccess asks the customer for more time (R-PLUS-1).
func (h *Handler) extendAccess(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.RequestExtension(r.Context(), act, r.PathValue("id"), r.PostFormValue("user_id"))
	h.back(w, r, siteURL(r), "partner", err, "Extension requested: the customer's administrators must approve it.")
}

func (h *Handler) assignAccountant(w http.ResponseWriter, r *http.Request, act app.Actor) {
	res, err := h.app.AssignAccountant(r.Context(), act, r.PathValue("id"), r.PostFormValue("email"), r.PostFormValue("name"))
	msg := "Accountant assigned and told; your fellow administrators were told too."
	if res.Invited {
		msg = "Invitation sent: the accountant is assigned once they register."
	}
	h.back(w, r, siteURL(r), "assign-accountant", err, msg)
}

type requestsData struct {
	Requests []app.RequestView
	Pager    pager
}

func (h *Handler) requests(w http.ResponseWriter, r *http.Request, act app.Actor) {
	f := domain.AccessRequestFilter{Page: listPage(r)}
	if s := r.URL.Query().Get("state"); s != "" {
		st := domain.RequestState(s)
		f.State = &st
	}
	l, err := h.app.AccessRequestViews(r.Context(), act, f)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	h.render(w, r, "requests", page{Title: "Partner access", Nav: "requests", Actor: act,
		Data: requestsData{Requests: l.Items, Pager: pagerFor(r, l, "requests")}})
}

// approve approves a request, for fewer days than the maximum when the
// form says so (R-PARTNER-2, R-PLUS-1).
func (h *Handler) approve(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	period, err := grantPeriod(r.PostFormValue("days"))
	if err == nil {
		_, err = h.app.ApproveRequest(r.Context(), act, id, period)
	}
	h.back(w, r, requestBack(r), "request-"+id, err, "Approved; the partner user and your fellow administrators were told.")
}

// deny denies a request (R-PARTNER-1).
func (h *Handler) deny(w http.ResponseWriter, r *http.Request, act app.Actor) {
	id := r.PathValue("id")
	_, err := h.app.DenyRequest(r.Context(), act, id, r.PostFormValue("reason"))
	h.back(w, r, requestBack(r), "request-"+id, err, "Denied; the partner user was told.")
}

// grantPeriod reads the approval form's number of days: blank means the
// maximum (zero); anything but a whole number of days from 1 is refused.
func grantPeriod(days string) (time.Duration, error) {
	days = strings.TrimSpace(days)
	if days == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(days)
	if err != nil || n < 1 {
		return 0, &domain.Error{Code: domain.EInvalid, Rule: "R-PLUS-1", Field: "days",
			Message: "give the number of days as a whole number from 1, or leave it blank for the longest access"}
	}
	return time.Duration(n) * 24 * time.Hour, nil
}

// requestBack is where an answer to a request returns: the page it was
// given on, or the requests list.
func requestBack(r *http.Request) string {
	if to := r.PostFormValue("back"); to != "" {
		return safeNext(to)
	}
	return "/requests"
}
