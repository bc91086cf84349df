package api

import (
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// descriptions are the operations' descriptions in the OpenAPI document,
// by operation id: what each does, who may call it, what it answers and
// the rules that apply. They are kept here rather than in routes.go so
// that the route list stays one line a route. TestOpenAPI_Described fails
// for an operation missing here.
var descriptions = map[string]string{
	// auth
	"create-token": "Checks an email and password, and a code from the authenticator app or a recovery code where the account " +
		"uses a second factor (R-PLUS-3), and issues a personal API token. No token is needed to call it. Answers the token " +
		"with its secret, shown this once. A wrong email reads the same as a wrong password, and repeated failures are throttled.",
	"list-tokens": "Lists your own personal API tokens, with when each was last used and whether it was revoked; never their " +
		"secrets. Any signed-in user may call it.",
	"revoke-token": "Revokes one of your own API tokens at once: requests that send it are refused from then on. Answers 204; " +
		"a token that is not yours is not found.",
	"get-me": "Answers the user the token or session belongs to, with its organisation: how a client learns who it acts as. " +
		"Any signed-in user may call it.",
	"my-notifications": "Lists the notices addressed to you, newest first: the same notices as the emails, so that an install " +
		"without a mail server still tells everyone what concerns them (R-NOTE-2). Any signed-in user may call it.",
	"accept-invitation": "Registers an invited user: sets the password given with the token from the invitation link and makes " +
		"the user active (R-USER-4). No token is needed. Answers the user; an unknown, used or expired link is refused " +
		"without saying which.",
	"confirm-email-change": "Applies a pending change of email address, given the token mailed to the new address (R-USER-6). " +
		"No token is needed. Answers the user with its new address; an unknown, used or expired token is not found.",
	"create-session": "Signs in with email and password, and a second-factor code where one is needed (R-PLUS-3), and starts a " +
		"session. No token is needed. Answers the session, the user and the session's secret, which is also set as an " +
		"HttpOnly cookie; enrol_mfa says the account must enrol an authenticator before anything else. Failures are throttled.",
	"delete-session": "Signs out: ends the session the request came with and clears the session cookie. Answers 204.",
	"list-sessions": "Lists your active sessions: how, from where and with what each started, and when it was last used; " +
		"current marks the one this request came with. Any signed-in user may call it.",
	"revoke-session": "Ends one of your own sessions at once, such as one left open on another computer. Answers 204; a " +
		"session that is not yours is not found.",
	"start-totp": "Starts enrolling an authenticator app for you (R-PLUS-3). Answers a new secret, its otpauth:// URL and a " +
		"QR code of the URL to scan with the app. An unconfirmed enrolment is replaced; a confirmed authenticator must be " +
		"removed first (conflict).",
	"confirm-totp": "Completes the enrolment with a first code from the app; from then on signing in asks for a code " +
		"(R-PLUS-3). Answers ten single-use recovery codes, shown this once.",
	"remove-totp": "Removes your authenticator, given a current code from it. It is refused where a second factor is required " +
		"(R-PLUS-3): for operators, partner users and the users of organisations that require it. Answers 204.",
	"request-password-reset": "Emails a single-use password reset link to the active user with this address. No token is " +
		"needed. Answers 202 alike whether or not the address has an account, and sends nothing beyond the per-account and " +
		"per-address limits, so the answer tells nothing of who is registered.",
	"reset-password": "Sets a new password, given the token from a reset link. The link works once; every session of the user " +
		"ends and, unless keep_tokens is set, its API tokens are revoked (R-USER-5). No token is needed. Answers 204.",

	// orgs
	"list-orgs": "Lists the organisations you can see, a page at a time (R-ORG-1): every one for operators, the partner and its " +
		"linked customers for a partner's users, the customer itself for a customer's. Filter by kind or partner.",
	"create-org": "Creates a partner or a customer; a customer may name its partner of record and be flagged as that partner's " +
		"demo customer (R-ROLE-3). Operators only. Answers the new organisation; invite its first administrator with POST /users.",
	"get-org": "Answers one organisation you can see: its kind, partner of record, main contact (R-ORG-2) and settings. An " +
		"organisation of another tenant is not found, never forbidden (R-ORG-1).",
	"update-org": "Changes an organisation's name, main contact (R-ORG-2), second-factor requirement (R-PLUS-3), dormancy lock " +
		"(R-PLUS-4) or what happens at a review's due date (R-PLUS-5); fields left out stay as they are. The organisation's " +
		"administrators and operators may; only operators flag a demo customer (R-ROLE-3). Answers the organisation as changed.",
	"link-partner": "Chooses a customer's partner of record. Operators link at once; the customer's administrators ask, the " +
		"partner's administrators are told, and the link is made when they accept. An id that names no partner is answered " +
		"alike (R-ORG-1). Answers the customer as it is now.",
	"unlink-partner": "Ends a customer's link to its partner of record, and with it what the partner had on the customer's " +
		"sites. Operators, the customer's administrators and the partner's administrators may. Answers the customer as it is now.",
	"list-link-requests": "Lists the customers asking your partner to become their partner of record, with who asked and when. " +
		"A partner's administrators may.",
	"accept-link": "Accepts a customer's request: your partner becomes its partner of record, which ends what a previous " +
		"partner had on its sites, and the customer's administrators are told. A partner's administrators may. Answers the " +
		"customer, now linked.",
	"decline-link": "Declines a customer's request to make your partner its partner of record; the customer's administrators " +
		"are told. A partner's administrators may. Answers 204.",
	"set-oidc-provider": "Sets up, or replaces, sign-in through the organisation's own OpenID Connect identity provider: its " +
		"issuer, Provisio's client id and secret there, and the email domains whose users may sign in through it. An empty " +
		"secret keeps the stored one; the secret is never answered nor logged. The organisation's administrators and " +
		"operators may. Answers the provider.",
	"get-oidc-provider": "Answers the organisation's OpenID Connect provider and the URL its users start signing in at; whether " +
		"a client secret is stored, never the secret. The organisation's administrators and operators may; an organisation " +
		"with none is not found.",
	"list-sso-domains": "Lists the email domains the organisation claims for single sign-on, each with whether it is proven and " +
		"the DNS TXT record that proves it. The organisation's administrators and operators may.",
	"verify-sso-domain": "Proves the organisation's claim on an email domain: for its administrators, by looking the DNS TXT " +
		"record up now; for an operator, by approving it. Only proven domains sign in through the provider. Answers the " +
		"domain; a record not found yet is refused, saying what to publish.",

	// users
	"list-users": "Lists the users of an organisation you can see, a page at a time, with search in name and email and filters " +
		"by state and role (R-ORG-1). Operators may leave org_id out to list everyone.",
	"create-user": "Invites a named person into an organisation: the user is created invited and emailed an invitation that " +
		"expires (R-USER-4). The email must be unique (R-USER-1) and not at a disposable provider (R-USER-2), and the roles " +
		"must fit the organisation's kind (R-ROLE-3). Operators may anywhere, administrators in their own organisation, and " +
		"partner administrators in their demo customer. Answers the user with any warnings, such as a shared-looking " +
		"address (R-USER-3).",
	"get-user": "Answers one user you can see: type, roles, state and, for an invited user, when the invitation expires. A " +
		"user of another tenant is not found (R-ORG-1).",
	"update-user": "Changes a user's name, email or roles; fields left out stay as they are (R-USER-6). A registered user's new " +
		"email takes effect once confirmed from the new address (pending_email until then); an invited user's invitation " +
		"goes to the new address instead. The last administrator cannot be demoted (R-ROLE-5). The organisation's " +
		"administrators and operators may. Answers the user.",
	"delete-user": "Deletes a user: every assignment ends at once and the email is free for reuse, while a tombstone stays for " +
		"the activity log (R-USER-5). The last administrator cannot be deleted (R-ROLE-5). The organisation's administrators " +
		"and operators may; the optional reason goes in the activity log. Answers the deleted user.",
	"lock-user": "Locks an active user: its sessions and API tokens stop working and it loses every site at once, while its " +
		"assignments are kept for an unlock (R-USER-5). The last administrator cannot be locked (R-ROLE-5). The " +
		"organisation's administrators and operators may. Answers the user.",
	"unlock-user": "Makes a locked user active again, with the site assignments it had (R-USER-5). The organisation's " +
		"administrators and operators may. Answers the user.",
	"resend-invitation": "Sends an invited user a fresh invitation with a new expiry; earlier links stop working (R-USER-4). " +
		"The organisation's administrators and operators may. Answers the user.",
	"set-break-glass": "Exempts a named break-glass account from the automatic dormancy lock, with the reason, or ends the " +
		"exemption (R-PLUS-4). The organisation's administrators and operators may. Answers the exemption as set.",

	// sites
	"list-sites": "Lists the sites you can see, a page at a time, with their customer's name (R-ORG-1): every site for " +
		"operators, the linked customers' sites for a partner, a customer's own, and an accountant's assigned ones. Filter " +
		"by customer or state.",
	"create-site": "Creates a site for a customer, with its first company if one is named (R-SITE-0): operators create either " +
		"edition for any customer, partner administrators professional sites for their linked customers. The site is " +
		"provisioning until the site provisioner reports it ready. Answers the new site.",
	"get-site": "Answers one site you can see, with its customer's name, edition and state and, where they apply, the " +
		"suspension, the end of stasis and the provisioning error. A site of another tenant is not found (R-ORG-1).",
	"suspend-site": "Suspends a ready site, with a reason and an expected end (R-SITE-1): its data and assignments are kept, " +
		"nobody but operators reaches it, and the vendor's operators are notified. Operators only. Answers the site.",
	"resume-site": "Ends a site's suspension: it is ready again and its users reach it as before (R-SITE-1). Operators only. " +
		"Answers the site.",
	"cancel-site": "Cancels a ready or suspended site into stasis for the stasis period, after which it is deleted with its " +
		"assignments (R-SITE-2). Operators only; the optional reason goes in the notices and the activity log. Answers the " +
		"site, with purge_at.",
	"restore-site": "Brings a cancelled site back during its stasis, ready again (R-SITE-2). Operators only. Answers the site.",
	"retry-provisioning": "Asks the site provisioner again for a site whose provisioning failed (R-SITE-0); the site is " +
		"provisioning until the provisioner reports again. Operators and the linked partner's administrators may. Answers " +
		"the site.",
	"list-provisioner-calls": "Lists the latest events sent to the site provisioner about a site, newest first, each with its " +
		"delivery state, attempts and last error (R-SITE-0). Operators and the customer's linked partner may.",
	"provisioner-callback": "The site provisioner reports a site ready or failed (R-SITE-0). It sends no bearer token: the body " +
		"is signed with the provisioner secret in Provisio-Signature, and a wrong, stale or replayed signature is refused " +
		"and logged. A report of the state the site is already in changes nothing, so a lost answer may be retried. Answers " +
		"the site.",
	"check-access": "Answers whether a user may use the site now, and a company of it when one is named, with the reason in " +
		"words, the role and how the access was given (R-ASSIGN-1, R-SITE-1, R-SITE-3, R-PARTNER-2). Operators, the site's " +
		"customer administrators and the user itself may ask.",

	// directory
	"set-directory": "Sets, or changes, a professional site's LDAP directory (R-APP-3): where it is, the account Provisio " +
		"binds as and where accounts go. Everyone already let into the site gets an account there. Operators only; the " +
		"bind password is needed the first time and is never answered. Answers the settings.",
	"get-directory": "Answers a site's directory settings, never the bind password. Operators only; a site without a directory " +
		"is not found.",
	"test-directory": "Connects to the site's directory with its settings, binds and reads the base DN, and says in plain " +
		"words how it went: a failed connection is an answer with ok false, not an error. Operators only.",
	"list-directory-accounts": "Lists the accounts in the site's directory, one for each person let into the site (R-APP-3), " +
		"with those the directory has yet to be told of, the attempts and the last error. Operators, the customer's " +
		"administrators and its linked partner may.",
	"my-directory-accounts": "Lists your own accounts in sites' directories (R-APP-3), with whether a one-time password waits " +
		"to be shown. Any signed-in user may call it.",
	"show-directory-password": "Shows the one-time password of your account in the site's directory, once: afterwards it is " +
		"forgotten, and the directory asks for a new one at first use (R-APP-3). The answer is not cached (no-store); a " +
		"password already shown is refused.",

	// assignments
	"list-site-users": "The site's dashboard (R-SITE-4): its users, a page at a time, each with the role on the site, how they " +
		"got access (member, partner grant with its expiry, accountant), their state and companies. Operators and the " +
		"customer's users may read it.",
	"assign-user": "Assigns one of the customer's active users (R-ASSIGN-1) to the site with one role, chosen when the user " +
		"holds several (R-ROLE-4), and emails the customer's administrators (R-ASSIGN-2). Only the customer's administrators " +
		"may: operators never add users to a site (R-ROLE-1), and partner users come in through partner access " +
		"(R-PARTNER-1). Answers the assignment.",
	"unassign-user": "Removes a user from the site and its companies; the user stays in its organisation and can be assigned " +
		"again (R-ASSIGN-3). The customer's administrators may; the optional reason goes in the activity log. Answers 204.",

	// companies
	"list-companies": "Lists the site's companies, the legal entities in the product, a page at a time (R-SITE-3). Anyone who " +
		"sees the site may.",
	"create-company": "Adds a company to the site (R-SITE-3). The operations agents assigned to the site may; customer " +
		"administrators manage portal users, not companies (R-ROLE-2). Answers the company.",
	"rename-company": "Renames a company. The operations agents assigned to its site may (R-SITE-3, R-ROLE-2). Answers the " +
		"company.",
	"assign-company": "Gives a user of the site access to one of its companies (R-SITE-3). The operations agents assigned to " +
		"the site may; a customer administrator can be neither assigned (R-ASSIGN-4) nor the one assigning (R-ROLE-2). " +
		"Answers 204.",
	"unassign-company": "Takes a user off a company; the user keeps the site. The operations agents assigned to the site may " +
		"(R-SITE-3). Answers 204.",

	// partner-access
	"request-access": "Asks for a partner user's access to a site of a linked customer (R-PARTNER-6). On a standard site it " +
		"is a request that the customer's administrators are emailed to approve or deny (R-PARTNER-1); on a professional " +
		"site the access is given at once and they are told (R-PARTNER-3). Partner administrators ask for any of their " +
		"users, agents for themselves. Answers the request or the assignment.",
	"unassign-partner": "A partner gives up access at any time (R-PARTNER-4): a pending request is withdrawn, and current " +
		"access ends at once with the customer's administrators told, with the optional reason. Partner administrators may " +
		"for any of their users, agents for themselves. Answers 204.",
	"revoke-access": "Ends a partner user's access to the customer's site at once (R-PARTNER-4); the partner user is told, " +
		"with the optional reason. The customer's administrators may. Answers 204.",
	"extend-access": "Asks the customer to extend a partner user's current access before it ends; like the first grant it " +
		"needs approval (R-PLUS-1). Partner administrators may for any of their users, agents for themselves. Answers the " +
		"extension request.",
	"list-access-requests": "Lists partner access requests, a page at a time, by site, user or state (R-PARTNER-1): a " +
		"customer's administrators see those for its sites, a partner those of its users, operators all.",
	"approve-access": "Approves a pending request (R-PARTNER-2): access runs from now for the edition's period, or for less " +
		"when period says so (R-PLUS-1). The customer's administrators get a confirmation and the partner user a " +
		"granted email. The customer's administrators may. Answers the request, with granted_until.",
	"deny-access": "Refuses a pending request; the partner user is told, with the optional reason. The customer's " +
		"administrators may. Answers the request.",

	// accountants
	"find-accountant": "Looks an accountant up by email, for a customer's administrators about to assign one (R-ACCT-2). " +
		"Anyone who is not an accountant is not found, so the answer tells nothing of other users.",
	"assign-accountant": "Assigns an accountant to a ready site (R-ACCT-1): a known accountant is assigned and told at once; " +
		"an unknown email becomes an invited accountant, assigned when it registers (R-ACCT-2). The customer's " +
		"administrators may, and are told of every assignment (R-ASSIGN-2). Answers the accountant, whether it was " +
		"invited, and the assignment when made.",

	// webhooks
	"create-webhook": "Registers an HTTPS endpoint for the organisation's events: every event that sends a notice is also " +
		"posted there, signed with HMAC-SHA256 in Provisio-Signature, and retried (R-PLUS-2). The organisation's " +
		"administrators and operators may. Answers the webhook with its signing secret, shown this once.",
	"list-webhooks": "Lists an organisation's webhooks, never their secrets (R-PLUS-2). The organisation's administrators and " +
		"operators may.",
	"delete-webhook": "Deletes a webhook: no more events are posted to it (R-PLUS-2). The organisation's administrators and " +
		"operators may. Answers 204.",
	"list-deliveries": "A webhook's delivery log, a page at a time: each event with its payload, state, attempts and the " +
		"endpoint's last answer (R-PLUS-2). The organisation's administrators and operators may.",

	// scim
	"create-org-scim-token": "Creates a token with which the organisation's identity provider (Entra ID, Okta, …) manages " +
		"its users through SCIM 2.0 at /scim/v2 (R-APP-4); a user deactivated there is locked here at once. The " +
		"organisation's administrators and operators may. Answers the token with its secret, shown this once.",
	"list-org-scim-tokens": "Lists the organisation's SCIM tokens, with when each was last used; never their secrets " +
		"(R-APP-4). The organisation's administrators and operators may.",
	"create-site-scim-token": "Creates a token with which the site's application reads the site's users through SCIM 2.0 at " +
		"/scim/v2, read-only (R-APP-1). The customer's administrators and operators may. Answers the token with its " +
		"secret, shown this once.",
	"list-site-scim-tokens": "Lists the site application's SCIM tokens, with when each was last used; never their secrets " +
		"(R-APP-1). The customer's administrators and operators may.",
	"rotate-scim-token": "Gives a SCIM token a new secret, shown this once; the old secret stops working at once. Whoever " +
		"manages the token may (R-APP-1, R-APP-4). Answers the token with its new secret.",
	"revoke-scim-token": "Revokes a SCIM token: its client is refused from then on. Whoever manages the token may (R-APP-1, " +
		"R-APP-4). Answers the token, revoked.",
	"get-group-roles": "Answers which of the identity provider's groups give which role in the organisation (R-APP-4). The " +
		"organisation's administrators and operators may.",
	"set-group-roles": "Replaces the mapping from the identity provider's groups to roles; every provisioned user gets the " +
		"roles its groups now map to at once (R-APP-4). An empty mapping leaves roles to the portal. The organisation's " +
		"administrators and operators may. Answers the mapping.",
	"list-app-links": "The site's users as its application sees them, a page at a time (R-APP-1): new (has access, not " +
		"linked), linked (has access and an account of the application) or unlinked (linked, but the access ended), with " +
		"when the application last read the list. The customer's administrators and operators may.",

	// apps
	"create-app": "Registers an application of the site that signs people in through Provisio's OpenID Connect provider " +
		"(R-APP-2): only users who may use the site now sign in there. A confidential application gets a secret, shown " +
		"this once; a public one has none and uses PKCE. The customer's administrators and operators may. Answers the " +
		"application with its client id and issuer.",
	"list-apps": "Lists the site's applications, never their secrets (R-APP-2). The customer's administrators and operators " +
		"may.",
	"rotate-app-secret": "Gives a confidential application a new secret, shown this once; the old one stops at once. A " +
		"public application has none to rotate. The customer's administrators and operators may. Answers the application " +
		"with its new secret.",
	"delete-app": "Removes an application of the site; the tokens it was issued stop working (R-APP-2). The customer's " +
		"administrators and operators may. Answers 204.",

	// audit
	"user-access-history": "Replays the activity log (R-AUDIT-1) to answer which sites the user could reach between from " +
		"and to: each stretch with the role, how access was given and who let the user in. Operators and the user's " +
		"organisation's administrators may. Answers JSON, or with format=csv a file for an auditor.",
	"site-access-history": "Replays the activity log (R-AUDIT-1) to answer who could reach the site at a moment, through " +
		"what, who let them in, and whether the access decision said yes then. Operators and the customer's " +
		"administrators may.",
	"compliance-report": "The compliance report (R-AUDIT-2): what breaks the rules now, such as shared or disposable " +
		"addresses, partner staff with customer logins, partners attached too long, single administrators, unused " +
		"invitations, dormant users and locked users still assigned, each with its rule, since when and the fix. For one " +
		"organisation (a partner with its customers) or everything you may audit. Administrators may: operators for " +
		"everyone, others for their own organisation.",
	"export-compliance": "The compliance report (R-AUDIT-2) as a CSV file with a row a finding, for a spreadsheet. Who may " +
		"read it is as for GET /compliance.",
	"list-audit": "Reads the activity log (R-AUDIT-1), oldest first, a page at a time: who did what, acting for which " +
		"organisation, on which object, the before and after, from where and when, with each entry's hash. Filter by " +
		"organisation, actor, action, object and time. Operators see everything, an organisation's administrators its " +
		"entries, and a partner's also those of its linked customers.",
	"export-audit": "Exports every matching entry of the activity log (R-AUDIT-1), oldest first, with the filters of GET " +
		"/audit: CSV with a header row by default, or a JSON array with format=json, streamed as it is read. Who may read " +
		"it is as for GET /audit.",
	"verify-audit": "Checks the whole hash chain of the activity log (R-AUDIT-1): every entry against its hash, each link to " +
		"the entry before, the numbering and the chain's head, so that an edited or removed entry shows. Operators only. " +
		"Answers whether it is intact and, if not, the first entry that fails.",

	// reviews
	"list-reviews": "Lists user reviews, newest first (R-AUDIT-3): your organisation's for its administrators, every one for " +
		"operators. state narrows the list; escalated gives the overdue ones.",
	"get-review": "Answers a review with every user of the organisation: roles, sites, last sign-in, what the compliance " +
		"report says of them (R-AUDIT-2) and the decision so far (R-AUDIT-3); can says what you may do with it. Operators " +
		"and the organisation's administrators may.",
	"decide-review": "Records decisions on users of a review: confirm, lock or take off sites, each with an optional " +
		"comment; confirm_rest confirms everyone not decided yet (R-AUDIT-3). The organisation's administrators decide " +
		"while it is open; operators may only remove users, of an overdue review. The choices apply together or not at " +
		"all, and when every user is decided the review is complete. Answers the review.",
	"list-campaigns": "Lists the latest review campaigns you have a part in, newest first (R-AUDIT-3): the scheduled ones and " +
		"those opened by hand. Administrators and operators may.",
	"open-campaign": "Opens a review campaign by hand, for the organisations given or every partner and customer: their " +
		"administrators are emailed to review their users (R-AUDIT-3). Operators only. Answers the campaign.",
	"export-campaign": "A campaign's evidence for an auditor (R-AUDIT-3): each organisation's review and every decision, with " +
		"who decided, when, and the user as they were then. CSV by default, JSON with format=json. Operators get every " +
		"organisation's part, administrators their own.",

	// mail
	"list-mail": "Lists the notices of the local mailbox, a page at a time, by recipient or kind: where notices are kept when " +
		"no mail server is set up (R-NOTE-2), and a record of what was sent. Operators only.",
	"get-mail": "Answers one notice of the local mailbox with its whole text (R-NOTE-2). Operators only; for anyone else " +
		"every id is not found.",
}

// pathIDs say what the {id} of a path names, by the segment before it:
// one input type (idIn) serves every kind of object, so its tags cannot.
var pathIDs = map[string]struct{ what, example string }{
	"tokens":          {"the API token's id", "tok_01kmefnv90j3mts1q0erxaa402"},
	"sessions":        {"the session's id", "ses_01kmjepsd06fxpf4n50r4gaavf"},
	"orgs":            {"the organisation's id", "org_01kjyvahs0jdypew7da395kjeb"},
	"users":           {"the user's id", "usr_01kk6sce10dyx9g1ercvp1yra5"},
	"sites":           {"the site's id", "site_01kkpng6h0d3aqrf08caygs4pm"},
	"companies":       {"the company's id", "co_01kktmh4n09bmmb56yd7qkjzzz"},
	"access-requests": {"the access request's id", "req_01kmagmx50etbyabrhzpj7110h"},
	"webhooks":        {"the webhook's id", "whk_01kmtcrnn0ewh0e7d7rz4ge2xd"},
	"scim-tokens":     {"the SCIM token's id", "sct_01kn2athx0kzvjn9ftng5y5dyt"},
	"apps":            {"the application's client_id", "app_01kna8we500fhqkha8agdabr1x"},
	"reviews":         {"the review's id", "rev_01knj6yad0wbg9ny0h2sc8gxf0"},
	"campaigns":       {"the campaign's id", "cmp_01knp5z8h0qb9dtysfg6jnh6s2"},
	"mail":            {"the notice's id", "ntc_01kmpdqqh0nvg032jenknexyk3"},
}

// idParam documents the {id} of path by pathIDs, or is nil for a path
// without one. Huma keeps a parameter an operation already declares.
func idParam(path string) *huma.Param {
	before, _, ok := strings.Cut(path, "/{id}")
	if !ok {
		return nil
	}
	id, ok := pathIDs[before[strings.LastIndex(before, "/")+1:]]
	if !ok {
		return nil
	}
	return &huma.Param{Name: "id", In: "path", Required: true, Description: id.what,
		Schema: &huma.Schema{Type: huma.TypeString, Description: id.what, Examples: []any{id.example}}}
}
