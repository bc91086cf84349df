package web

// routes lists every page and form of the UI.
func (h *Handler) routes() {
	m := h.mux
	m.Handle("GET /static/", h.assets)
	m.HandleFunc("GET /signin", h.signinPage)
	m.HandleFunc("POST /signin", h.signin)
	m.HandleFunc("POST /signin/sso", h.sso)
	m.HandleFunc("POST /signout", h.signedIn(h.signout))
	m.HandleFunc("GET /{$}", h.signedIn(h.dashboard))

	m.HandleFunc("GET /orgs", h.signedIn(h.orgs))
	m.HandleFunc("POST /orgs", h.signedIn(h.createOrg))
	m.HandleFunc("GET /orgs/{id}", h.signedIn(h.org))

	m.HandleFunc("GET /users", h.signedIn(h.users))
	m.HandleFunc("POST /users", h.signedIn(h.inviteUser))
	m.HandleFunc("GET /users/{id}", h.signedIn(h.user))
	m.HandleFunc("POST /users/{id}", h.signedIn(h.updateUser))
	m.HandleFunc("POST /users/{id}/{action}", h.signedIn(h.userAction))

	m.HandleFunc("GET /sites", h.signedIn(h.sites))
	m.HandleFunc("POST /sites", h.signedIn(h.createSite))
	m.HandleFunc("GET /sites/{id}", h.signedIn(h.site))
	m.HandleFunc("POST /sites/{id}/assign", h.signedIn(h.assign))
	m.HandleFunc("POST /sites/{id}/remove", h.signedIn(h.unassign))
	m.HandleFunc("POST /sites/{id}/state", h.signedIn(h.siteState))
	m.HandleFunc("POST /sites/{id}/companies", h.signedIn(h.createCompany))
	m.HandleFunc("POST /sites/{id}/company-users", h.signedIn(h.assignCompany))
	m.HandleFunc("POST /sites/{id}/partner-access", h.signedIn(h.requestAccess))
	m.HandleFunc("POST /sites/{id}/partner-access/{action}", h.signedIn(h.partnerAction))
	m.HandleFunc("POST /sites/{id}/accountants", h.signedIn(h.assignAccountant))

	m.HandleFunc("GET /requests", h.signedIn(h.requests))
	m.HandleFunc("POST /requests/{id}/{action}", h.signedIn(h.decide))

	m.HandleFunc("GET /audit", h.signedIn(h.audit))
	m.HandleFunc("GET /mailbox", h.signedIn(h.mailbox))
	m.HandleFunc("GET /mailbox/{id}", h.signedIn(h.mail))

	m.HandleFunc("GET /account", h.signedIn(h.account))
	m.HandleFunc("POST /account/{action}", h.signedIn(h.accountAction))
}
