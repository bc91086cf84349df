package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

const (
	public  = true
	private = false
)

// op is one operation of the API under /api/v1, with its description
// from descriptions and its {id}, if any, described by pathIDs.
func op(method, path, id, tag, summary string) huma.Operation {
	o := huma.Operation{Method: method, Path: "/api/v1" + path, OperationID: id, Tags: []string{tag}, Summary: summary,
		Description: descriptions[id]}
	if p := idParam(path); p != nil {
		o.Parameters = []*huma.Param{p}
	}
	return o
}

func created(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusCreated
	return o
}

func accepted(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusAccepted
	return o
}

// routes lists every operation of the API.
func (s *Server) routes() {
	const get, post, patch, put, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete

	handle(s, public, created(op(post, "/tokens", "create-token", "auth", "Issue a personal API token from email and password")), s.createToken)
	handle(s, private, op(get, "/tokens", "list-tokens", "auth", "List your API tokens"), s.listTokens)
	handle(s, private, op(del, "/tokens/{id}", "revoke-token", "auth", "Revoke one of your API tokens"), s.revokeToken)
	handle(s, private, op(get, "/me", "get-me", "auth", "Who the token belongs to"), s.me)
	handle(s, private, op(get, "/me/notifications", "my-notifications", "auth", "The notices addressed to you, newest first (the same as the emails)"), s.notifications)
	handle(s, public, op(post, "/invitations/accept", "accept-invitation", "auth", "Register: set a password from an invitation (R-USER-4)"), s.acceptInvitation)
	handle(s, public, op(post, "/email-changes/confirm", "confirm-email-change", "auth", "Confirm a new email address (R-USER-6)"), s.confirmEmail)

	handle(s, public, created(op(post, "/session", "create-session", "auth", "Sign in: start a session (cookie and token), with MFA (R-PLUS-3)")), s.signIn)
	handle(s, private, op(del, "/session", "delete-session", "auth", "Sign out of this session"), s.signOut)
	handle(s, private, op(get, "/sessions", "list-sessions", "auth", "Your active sessions"), s.listSessions)
	handle(s, private, op(del, "/sessions/{id}", "revoke-session", "auth", "End one of your sessions"), s.revokeSession)
	handle(s, private, op(post, "/mfa/totp", "start-totp", "mfa", "Start enrolling an authenticator app (R-PLUS-3)"), s.startTOTP)
	handle(s, private, op(post, "/mfa/totp/confirm", "confirm-totp", "mfa", "Confirm the enrolment with a code; returns recovery codes"), s.confirmTOTP)
	handle(s, private, op(del, "/mfa/totp", "remove-totp", "mfa", "Remove your authenticator"), s.removeTOTP)
	handle(s, public, accepted(op(post, "/password-resets", "request-password-reset", "auth", "Email a password reset link (answers alike for unknown emails)")), s.requestReset)
	handle(s, public, op(post, "/password-resets/confirm", "reset-password", "auth", "Set a new password from a reset link"), s.resetPassword)

	handle(s, private, op(get, "/orgs", "list-orgs", "orgs", "List the organisations you can see (R-ORG-1)"), s.listOrgs)
	handle(s, private, created(op(post, "/orgs", "create-org", "orgs", "Create a partner or customer (operators)")), s.createOrg)
	handle(s, private, op(get, "/orgs/{id}", "get-org", "orgs", "Get an organisation"), s.getOrg)
	handle(s, private, op(patch, "/orgs/{id}", "update-org", "orgs", "Change name, main contact (R-ORG-2) or demo flag"), s.updateOrg)
	handle(s, private, op(put, "/orgs/{id}/partner", "link-partner", "orgs", "Choose a customer's partner of record: operators link at once; a customer's administrators ask, and the partner accepts"), s.linkPartner)
	handle(s, private, op(del, "/orgs/{id}/partner", "unlink-partner", "orgs", "Remove a customer's partner of record"), s.unlinkPartner)
	handle(s, private, op(get, "/partner-link-requests", "list-link-requests", "orgs", "Customers asking your partner to become their partner of record"), s.listLinkRequests)
	handle(s, private, op(post, "/partner-link-requests/{customer_id}/accept", "accept-link", "orgs", "Become the customer's partner of record"), s.acceptLink)
	handle(s, private, op(post, "/partner-link-requests/{customer_id}/decline", "decline-link", "orgs", "Decline the customer's request"), s.declineLink)
	handle(s, private, op(put, "/orgs/{id}/oidc", "set-oidc-provider", "orgs", "Set up sign-in through the organisation's OpenID Connect provider"), s.setOIDCProvider)
	handle(s, private, op(get, "/orgs/{id}/oidc", "get-oidc-provider", "orgs", "The organisation's OpenID Connect provider (never its secret)"), s.getOIDCProvider)
	handle(s, private, op(get, "/orgs/{id}/oidc/domains", "list-sso-domains", "orgs", "The email domains the organisation claims for single sign-on, and how to prove them"), s.listSSODomains)
	handle(s, private, op(post, "/orgs/{id}/oidc/domains/{domain}/verify", "verify-sso-domain", "orgs", "Prove a claimed domain: by its DNS TXT record, or by an operator's approval"), s.verifySSODomain)

	handle(s, private, op(get, "/users", "list-users", "users", "List users, with search and filters"), s.listUsers)
	handle(s, private, created(op(post, "/users", "create-user", "users", "Invite a user (R-USER-1…4)")), s.createUser)
	handle(s, private, op(get, "/users/{id}", "get-user", "users", "Get a user"), s.getUser)
	handle(s, private, op(patch, "/users/{id}", "update-user", "users", "Change name, email or roles (R-USER-6)"), s.updateUser)
	handle(s, private, op(del, "/users/{id}", "delete-user", "users", "Delete a user (R-USER-5, R-ROLE-5)"), s.deleteUser)
	handle(s, private, op(post, "/users/{id}/lock", "lock-user", "users", "Lock a user (R-USER-5)"), s.lockUser)
	handle(s, private, op(post, "/users/{id}/unlock", "unlock-user", "users", "Unlock a user (R-USER-5)"), s.unlockUser)
	handle(s, private, op(post, "/users/{id}/resend-invitation", "resend-invitation", "users", "Send a fresh invitation (R-USER-4)"), s.resendInvitation)
	handle(s, private, op(put, "/users/{id}/break-glass", "set-break-glass", "users", "Exempt a named break-glass account from the dormancy lock, or end the exemption (R-PLUS-4)"), s.setBreakGlass)

	handle(s, private, op(get, "/sites", "list-sites", "sites", "List the sites you can see"), s.listSites)
	handle(s, private, created(op(post, "/sites", "create-site", "sites", "Create a site (R-SITE-0)")), s.createSite)
	handle(s, private, op(get, "/sites/{id}", "get-site", "sites", "Get a site"), s.getSite)
	handle(s, private, op(post, "/sites/{id}/suspend", "suspend-site", "sites", "Suspend a site (R-SITE-1)"), s.suspendSite)
	handle(s, private, op(post, "/sites/{id}/resume", "resume-site", "sites", "End a suspension"), s.resumeSite)
	handle(s, private, op(post, "/sites/{id}/cancel", "cancel-site", "sites", "Cancel a site into stasis (R-SITE-2)"), s.cancelSite)
	handle(s, private, op(post, "/sites/{id}/restore", "restore-site", "sites", "Restore a cancelled site during stasis (R-SITE-2)"), s.restoreSite)
	handle(s, private, op(post, "/sites/{id}/retry-provisioning", "retry-provisioning", "sites", "Ask the provisioner again for a site whose provisioning failed (R-SITE-0)"), s.retryProvisioning)
	handle(s, private, op(get, "/sites/{id}/provisioner-calls", "list-provisioner-calls", "sites", "The latest events sent to the site provisioner about a site, newest first (R-SITE-0)"), s.listProvisionerCalls)
	handle(s, public, op(post, "/provisioner/callback", "provisioner-callback", "sites", "The site provisioner reports a site ready or failed, signed with the provisioner secret (R-SITE-0)"), s.provisionerCallback)
	handle(s, private, op(put, "/sites/{id}/directory", "set-directory", "directory", "Set a professional site's LDAP directory, where everyone let in gets an account (R-APP-3; operators)"), s.setDirectory)
	handle(s, private, op(get, "/sites/{id}/directory", "get-directory", "directory", "A site's directory settings, never the bind password (operators)"), s.getDirectory)
	handle(s, private, op(post, "/sites/{id}/directory/test", "test-directory", "directory", "Connect to the site's directory with its settings and say, in plain words, how it went"), s.testDirectory)
	handle(s, private, op(get, "/sites/{id}/directory-accounts", "list-directory-accounts", "directory", "The accounts in the site's directory, with those the directory has yet to be told of and why (R-APP-3)"), s.siteAccounts)
	handle(s, private, op(get, "/me/directory-accounts", "my-directory-accounts", "directory", "Your accounts in sites' directories (R-APP-3)"), s.myAccounts)
	handle(s, private, op(post, "/me/directory-accounts/{site_id}/password", "show-directory-password", "directory", "Show the one-time password of your account in the site's directory, once; it must be changed at first use (R-APP-3)"), s.showPassword)
	handle(s, private, op(get, "/sites/{id}/access", "check-access", "sites", "May a user use the site (and a company) now?"), s.checkAccess)

	handle(s, private, op(get, "/sites/{id}/users", "list-site-users", "assignments", "The site's dashboard of users (R-SITE-4)"), s.listSiteUsers)
	handle(s, private, created(op(post, "/sites/{id}/users", "assign-user", "assignments", "Assign a user to the site (R-ASSIGN-1, R-ASSIGN-2)")), s.assignUser)
	handle(s, private, op(del, "/sites/{id}/users/{user_id}", "unassign-user", "assignments", "Remove a user from the site (R-ASSIGN-3)"), s.unassignUser)

	handle(s, private, op(get, "/sites/{id}/companies", "list-companies", "companies", "List the site's companies"), s.listCompanies)
	handle(s, private, created(op(post, "/sites/{id}/companies", "create-company", "companies", "Create a company (R-SITE-3)")), s.createCompany)
	handle(s, private, op(patch, "/companies/{id}", "rename-company", "companies", "Rename a company"), s.renameCompany)
	handle(s, private, op(put, "/companies/{id}/users/{user_id}", "assign-company", "companies", "Assign a user to a company (R-SITE-3, R-ASSIGN-4)"), s.assignCompany)
	handle(s, private, op(del, "/companies/{id}/users/{user_id}", "unassign-company", "companies", "Remove a user from a company"), s.unassignCompany)

	handle(s, private, created(op(post, "/sites/{id}/partner-access", "request-access", "partner-access", "Request partner access (R-PARTNER-1, R-PARTNER-3)")), s.requestAccess)
	handle(s, private, op(del, "/sites/{id}/partner-access/{user_id}", "unassign-partner", "partner-access", "Give up partner access or withdraw a request (R-PARTNER-4)"), s.unassignPartner)
	handle(s, private, op(post, "/sites/{id}/partner-access/{user_id}/revoke", "revoke-access", "partner-access", "Revoke partner access (customer, R-PARTNER-4)"), s.revokeAccess)
	handle(s, private, created(op(post, "/sites/{id}/partner-access/{user_id}/extend", "extend-access", "partner-access", "Ask to extend access; needs approval again (R-PLUS-1)")), s.extendAccess)
	handle(s, private, op(get, "/access-requests", "list-access-requests", "partner-access", "List partner access requests"), s.listRequests)
	handle(s, private, op(post, "/access-requests/{id}/approve", "approve-access", "partner-access", "Approve a request, optionally for less time (R-PARTNER-2, R-PLUS-1)"), s.approveRequest)
	handle(s, private, op(post, "/access-requests/{id}/deny", "deny-access", "partner-access", "Deny a request"), s.denyRequest)

	handle(s, private, op(get, "/accountants", "find-accountant", "accountants", "Look an accountant up by email (R-ACCT-2)"), s.findAccountant)
	handle(s, private, created(op(post, "/sites/{id}/accountants", "assign-accountant", "accountants", "Assign or invite an accountant (R-ACCT-1, R-ACCT-2)")), s.assignAccountant)

	handle(s, private, created(op(post, "/webhooks", "create-webhook", "webhooks", "Register a webhook (R-PLUS-2)")), s.createWebhook)
	handle(s, private, op(get, "/webhooks", "list-webhooks", "webhooks", "List an organisation's webhooks"), s.listWebhooks)
	handle(s, private, op(del, "/webhooks/{id}", "delete-webhook", "webhooks", "Delete a webhook"), s.deleteWebhook)
	handle(s, private, op(get, "/webhooks/{id}/deliveries", "list-deliveries", "webhooks", "A webhook's delivery log"), s.listDeliveries)

	handle(s, private, created(op(post, "/orgs/{id}/scim-tokens", "create-org-scim-token", "scim", "Create a token for the organisation's identity provider to manage its users through SCIM (R-APP-4); shown once")), s.createOrgSCIMToken)
	handle(s, private, op(get, "/orgs/{id}/scim-tokens", "list-org-scim-tokens", "scim", "The organisation's SCIM tokens (never their secrets)"), s.listOrgSCIMTokens)
	handle(s, private, created(op(post, "/sites/{id}/scim-tokens", "create-site-scim-token", "scim", "Create a token for the site's application to read its users through SCIM (R-APP-1); shown once")), s.createSiteSCIMToken)
	handle(s, private, op(get, "/sites/{id}/scim-tokens", "list-site-scim-tokens", "scim", "The site application's SCIM tokens (never their secrets)"), s.listSiteSCIMTokens)
	handle(s, private, op(post, "/scim-tokens/{id}/rotate", "rotate-scim-token", "scim", "Give a SCIM token a new secret, shown once; the old one stops at once"), s.rotateSCIMToken)
	handle(s, private, op(del, "/scim-tokens/{id}", "revoke-scim-token", "scim", "Revoke a SCIM token"), s.revokeSCIMToken)
	handle(s, private, op(get, "/orgs/{id}/group-roles", "get-group-roles", "scim", "Which identity-provider groups give which role (R-APP-4)"), s.getGroupRoles)
	handle(s, private, op(put, "/orgs/{id}/group-roles", "set-group-roles", "scim", "Map identity-provider groups to roles; provisioned users get the roles at once (R-APP-4)"), s.setGroupRoles)
	handle(s, private, op(get, "/sites/{id}/app-links", "list-app-links", "scim", "The site's users as its application sees them: New, Linked or Unlinked (R-APP-1)"), s.listAppLinks)

	handle(s, private, created(op(post, "/sites/{id}/apps", "create-app", "apps", "Register an application of the site that signs people in through Provisio (R-APP-2); a confidential one's secret is shown once")), s.createApp)
	handle(s, private, op(get, "/sites/{id}/apps", "list-apps", "apps", "The site's applications (never their secrets)"), s.listApps)
	handle(s, private, op(post, "/apps/{id}/rotate-secret", "rotate-app-secret", "apps", "Give a confidential application a new secret, shown once; the old one stops at once"), s.rotateAppSecret)
	handle(s, private, op(del, "/apps/{id}", "delete-app", "apps", "Remove an application; its tokens stop working"), s.deleteApp)

	handle(s, private, csvOrJSONDoc[spanList](s, op(get, "/users/{id}/access-history", "user-access-history", "audit", "Which sites the user could reach between two moments, when, through what, and who let them in (from the activity log)"), "Each stretch of access", accessHistoryCSVExample), s.userAccessHistory)
	handle(s, private, op(get, "/sites/{id}/access-history", "site-access-history", "audit", "Who could reach the site at a moment, through what, and who let them in (from the activity log)"), s.siteAccessAt)
	handle(s, private, op(get, "/compliance", "compliance-report", "audit", "The compliance report (R-AUDIT-2): what breaks the rules now, each with its rule, since when and the fix"), s.compliance)
	handle(s, private, csvDoc(op(get, "/compliance/export", "export-compliance", "audit", "The compliance report as CSV"), "Every finding", complianceCSVExample), s.complianceCSV)
	handle(s, private, op(get, "/reviews", "list-reviews", "reviews", "User reviews: your organisation's, or every one for operators (R-AUDIT-3)"), s.listReviews)
	handle(s, private, op(get, "/reviews/{id}", "get-review", "reviews", "A review with every user of the organisation: roles, sites, last sign-in, findings and decisions"), s.getReview)
	handle(s, private, op(post, "/reviews/{id}/decisions", "decide-review", "reviews", "Confirm, lock or take users off sites, or confirm all unchanged; operators may remove users of an overdue review"), s.decideReview)
	handle(s, private, op(get, "/campaigns", "list-campaigns", "reviews", "Review campaigns you have a part in (R-AUDIT-3)"), s.listCampaigns)
	handle(s, private, created(op(post, "/campaigns", "open-campaign", "reviews", "Open a review campaign by hand, for some or all organisations (operators)")), s.openCampaign)
	handle(s, private, csvOrJSONDoc[campaignEvidence](s, op(get, "/campaigns/{id}/export", "export-campaign", "reviews", "A campaign's evidence for an auditor: who reviewed, when, each decision"), "Every decision", campaignCSVExample), s.exportCampaign)

	handle(s, private, op(get, "/audit", "list-audit", "audit", "Read the activity log (R-AUDIT-1)"), s.listAudit)
	handle(s, private, s.exportDoc(op(get, "/audit/export", "export-audit", "audit", "Export the activity log as CSV or JSON")), s.exportAudit)
	handle(s, private, op(post, "/audit/verify", "verify-audit", "audit", "Check the log's hash chain"), s.verifyAudit)

	handle(s, private, op(get, "/mail", "list-mail", "mail", "The local mailbox (R-NOTE-2, operators)"), s.listMail)
	handle(s, private, op(get, "/mail/{id}", "get-mail", "mail", "One notice of the local mailbox"), s.getMail)
}
