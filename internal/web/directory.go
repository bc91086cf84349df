package web

import (
	"net/http"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// accountsData is the page of the person's directory accounts, with a
// one-time password just shown, if any.
type accountsData struct {
	Accounts []*domain.DirectoryAccount
	Shown    *shownPassword
}

type shownPassword struct {
	SiteName, Login, Password string
}

// directoryAccounts lists the person's accounts in sites' directories
// (R-APP-3).
func (h *Handler) directoryAccounts(w http.ResponseWriter, r *http.Request, act app.Actor) {
	h.accountsPage(w, r, act, nil)
}

func (h *Handler) accountsPage(w http.ResponseWriter, r *http.Request, act app.Actor, shown *shownPassword) {
	as, err := h.app.MyDirectoryAccounts(r.Context(), act)
	if err != nil {
		h.fail(w, r, act, err)
		return
	}
	if shown != nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	h.render(w, r, "accounts", page{Title: "Directory accounts", Nav: "account", Actor: act, Data: accountsData{Accounts: as, Shown: shown}})
}

// showDirectoryPassword shows a one-time password once, on this answer
// only (no redirect, not cached).
func (h *Handler) showDirectoryPassword(w http.ResponseWriter, r *http.Request, act app.Actor) {
	acct, pw, err := h.app.ShowDirectoryPassword(r.Context(), act, r.PathValue("site_id"))
	if err != nil {
		h.back(w, r, "/directory-accounts", "accounts", err, "")
		return
	}
	h.accountsPage(w, r, act, &shownPassword{SiteName: acct.SiteName, Login: act.User.Email, Password: pw})
}

// setDirectory sets a site's directory from the site page (operators).
func (h *Handler) setDirectory(w http.ResponseWriter, r *http.Request, act app.Actor) {
	_, err := h.app.SetSiteDirectory(r.Context(), act, r.PathValue("id"), app.DirectorySettings{
		URL: r.PostFormValue("url"), StartTLS: r.PostFormValue("start_tls") == "on", CAPEM: r.PostFormValue("ca_pem"),
		BindDN: r.PostFormValue("bind_dn"), BindPassword: r.PostFormValue("bind_password"), BaseDN: r.PostFormValue("base_dn"),
		Kind: r.PostFormValue("kind"), LoginAttr: r.PostFormValue("login_attribute")})
	h.back(w, r, siteURL(r), "directory", err, "Directory saved; everyone let into the site gets an account there.")
}

// testDirectory connects with the site's directory settings and says how
// it went.
func (h *Handler) testDirectory(w http.ResponseWriter, r *http.Request, act app.Actor) {
	c, err := h.app.TestSiteDirectory(r.Context(), act, r.PathValue("id"))
	if err == nil && !c.OK {
		err = &domain.Error{Code: domain.EInvalid, Rule: "R-APP-3", Message: "The directory test failed: " + c.Message}
	}
	h.back(w, r, siteURL(r), "directory", err, c.Message)
}
