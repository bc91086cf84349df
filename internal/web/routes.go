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
	m.HandleFunc("POST /orgs/link-requests/{customer}/accept", h.signedIn(h.answerLink(true)))
	m.HandleFunc("POST /orgs/link-requests/{customer}/decline", h.signedIn(h.answerLink(false)))

	m.HandleFunc("POST /orgs/{id}/scim-tokens", h.signedIn(h.createSCIMToken(false)))
	m.HandleFunc("POST /orgs/{id}/group-roles", h.signedIn(h.setGroupRoles))
	m.HandleFunc("POST /orgs/{id}/settings", h.signedIn(h.orgSettings))
	m.HandleFunc("POST /users/{id}/break-glass", h.signedIn(h.breakGlass))
	m.HandleFunc("POST /sites/{id}/scim-tokens", h.signedIn(h.createSCIMToken(true)))
	m.HandleFunc("POST /scim-tokens/{id}/rotate", h.signedIn(h.rotateSCIMToken))
	m.HandleFunc("POST /sites/{id}/apps", h.signedIn(h.createApp))
	m.HandleFunc("POST /apps/{id}/rotate-secret", h.signedIn(h.rotateAppSecret))
	m.HandleFunc("POST /apps/{id}/delete", h.signedIn(h.deleteApp))
	m.HandleFunc("POST /scim-tokens/{id}/revoke", h.signedIn(h.revokeSCIMToken))

	m.HandleFunc("GET /users", h.signedIn(h.users))
	m.HandleFunc("POST /users", h.signedIn(h.inviteUser))
	m.HandleFunc("GET /users/{id}", h.signedIn(h.user))
	m.HandleFunc("POST /users/{id}", h.signedIn(h.updateUser))
	for _, action := range []string{"lock", "unlock", "delete", "resend"} {
		m.HandleFunc("POST /users/{id}/"+action, h.signedIn(h.userAction(action)))
	}

	m.HandleFunc("GET /sites", h.signedIn(h.sites))
	m.HandleFunc("POST /sites", h.signedIn(h.createSite))
	m.HandleFunc("GET /sites/{id}", h.signedIn(h.site))
	m.HandleFunc("GET /sites/{id}/history", h.signedIn(h.siteHistory))
	m.HandleFunc("POST /sites/{id}/assign", h.signedIn(h.assign))
	m.HandleFunc("POST /sites/{id}/remove", h.signedIn(h.unassign))
	m.HandleFunc("POST /sites/{id}/suspend", h.signedIn(h.suspendSite))
	m.HandleFunc("POST /sites/{id}/resume", h.signedIn(h.resumeSite))
	m.HandleFunc("POST /sites/{id}/cancel", h.signedIn(h.cancelSite))
	m.HandleFunc("POST /sites/{id}/restore", h.signedIn(h.restoreSite))
	m.HandleFunc("POST /sites/{id}/retry-provisioning", h.signedIn(h.retryProvisioning))
	m.HandleFunc("POST /sites/{id}/directory", h.signedIn(h.setDirectory))
	m.HandleFunc("POST /sites/{id}/directory/test", h.signedIn(h.testDirectory))
	m.HandleFunc("GET /directory-accounts", h.signedIn(h.directoryAccounts))
	m.HandleFunc("POST /directory-accounts/{site_id}/password", h.signedIn(h.showDirectoryPassword))
	m.HandleFunc("POST /sites/{id}/companies", h.signedIn(h.createCompany))
	m.HandleFunc("POST /sites/{id}/company-users", h.signedIn(h.assignCompany))
	m.HandleFunc("POST /sites/{id}/partner-access", h.signedIn(h.requestAccess))
	m.HandleFunc("POST /sites/{id}/partner-access/revoke", h.signedIn(h.revokeAccess))
	m.HandleFunc("POST /sites/{id}/partner-access/unassign", h.signedIn(h.giveUpAccess))
	m.HandleFunc("POST /sites/{id}/partner-access/extend", h.signedIn(h.extendAccess))
	m.HandleFunc("POST /sites/{id}/accountants", h.signedIn(h.assignAccountant))

	m.HandleFunc("GET /requests", h.signedIn(h.requests))
	m.HandleFunc("POST /requests/{id}/approve", h.signedIn(h.approve))
	m.HandleFunc("POST /requests/{id}/deny", h.signedIn(h.deny))

	m.HandleFunc("GET /audit", h.signedIn(h.audit))
	m.HandleFunc("GET /compliance", h.signedIn(h.compliance))
	m.HandleFunc("GET /mailbox", h.signedIn(h.mailbox))
	m.HandleFunc("GET /mailbox/{id}", h.signedIn(h.mail))

	m.HandleFunc("GET /invitations/{token}", h.invitationPage)
	m.HandleFunc("POST /invitations/{token}", h.acceptInvitation)
	m.HandleFunc("GET /email-changes/{token}", h.emailChangePage)
	m.HandleFunc("POST /email-changes/{token}", h.confirmEmailChange)
	m.HandleFunc("GET /password-resets", h.forgotPage)
	m.HandleFunc("POST /password-resets", h.forgot)
	m.HandleFunc("GET /password-resets/{token}", h.resetPage)
	m.HandleFunc("POST /password-resets/{token}", h.resetPassword)
	m.HandleFunc("GET /access/{token}", h.accessPage)
	m.HandleFunc("POST /access/{token}", h.useAccessLink)

	m.HandleFunc("GET /account", h.signedIn(h.account))
	m.HandleFunc("GET /notifications", h.signedIn(h.notifications))
	m.HandleFunc("POST /account/{action}", h.signedIn(h.accountAction))
}
