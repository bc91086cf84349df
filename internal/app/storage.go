package app

import (
	"context"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// Store is the database as app uses it: Read runs fn in a read-only
// transaction; Write runs it in one that commits when fn returns nil and
// rolls back otherwise. Missing rows and clashes are reported as
// domain.ErrNotFound and domain.ErrUnique.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction of the Store, by the parts of it app uses.
type Tx interface {
	requestsTx
	assignmentsTx
	auditTx
	complianceTx
	credentialsTx
	directoriesTx
	idempotencyTx
	noticesTx
	ssoSignInTx
	providerTx
	orgsTx
	partnerLinksTx
	provisionerTx
	reviewsTx
	scimTx
	signInTx
	siteMembersTx
	sitesTx
	ssoTx
	changesTx
	usersTx
	webhooksTx
}

// requestsTx reads and writes access requests and approval links.
type requestsTx interface {
	CreateAccessRequest(ctx context.Context, r *domain.AccessRequest) error
	AccessRequest(ctx context.Context, sc domain.Scope, id string) (*domain.AccessRequest, error)
	PendingRequest(ctx context.Context, siteID, userID string) (*domain.AccessRequest, error)
	DecideRequest(ctx context.Context, r *domain.AccessRequest) error
	AccessRequests(ctx context.Context, f domain.AccessRequestFilter, now time.Time) (domain.List[*domain.AccessRequest], error)
	DueRequests(ctx context.Context, now time.Time, limit int) ([]*domain.AccessRequest, error)
	CreateAccessLink(ctx context.Context, tokenHash string, l *domain.AccessLink, now time.Time) error
	AccessLinkByHash(ctx context.Context, tokenHash string, now time.Time) (*domain.AccessLink, error)
	UseAccessLink(ctx context.Context, tokenHash string, now time.Time) error
	ExpireRequestLinks(ctx context.Context, requestID string, now time.Time) error
	AssignmentByID(ctx context.Context, id string) (*domain.Assignment, error)
	SetAssignmentExpiry(ctx context.Context, id string, expires time.Time) error
	ExpiredAssignments(ctx context.Context, now time.Time, limit int) ([]*domain.Assignment, error)
	DueReminders(ctx context.Context, now, until time.Time, limit int) ([]*domain.Assignment, error)
	MarkReminded(ctx context.Context, id string, now time.Time) error
	DeleteExpiredAssignment(ctx context.Context, a *domain.Assignment, now time.Time) error
	DeleteExpiredAssignments(ctx context.Context, as []*domain.Assignment, now time.Time) ([]*domain.Assignment, error)
	PruneChanges(ctx context.Context) error
	CreateAccountantInvite(ctx context.Context, siteID, userID, by string, now time.Time) error
	TakeAccountantInvites(ctx context.Context, userID string) (map[string]string, error)
	PartnerGrants(ctx context.Context, partnerID, customerID string, now time.Time) ([]*domain.SiteUser, error)
	PartnerAccessOn(ctx context.Context, customerID, partnerID string) ([]*domain.Assignment, []*domain.AccessRequest, error)
	RequestGrants(ctx context.Context, ids []string) (map[string]domain.GrantFate, error)
}

// assignmentsTx reads and writes site assignments.
type assignmentsTx interface {
	CreateAssignment(ctx context.Context, a *domain.Assignment) error
	Assignment(ctx context.Context, siteID, userID string) (*domain.Assignment, error)
	DeleteAssignment(ctx context.Context, siteID, userID string, now time.Time) error
	DeleteUserAssignments(ctx context.Context, userID string, now time.Time) ([]*domain.Assignment, error)
	UserAssignments(ctx context.Context, userID string) ([]*domain.Assignment, error)
	SiteUsers(ctx context.Context, siteID string, now time.Time, p domain.Page) (domain.List[*domain.SiteUser], error)
	CreateCompanyAssignment(ctx context.Context, ca *domain.CompanyAssignment) error
	DeleteCompanyAssignment(ctx context.Context, companyID, userID string) error
	AccessFacts(ctx context.Context, siteID, userID, companyID string) (*domain.AccessFacts, error)
	OrgAdmins(ctx context.Context, orgID string, admin domain.Role) ([]*domain.User, error)
}

// auditTx reads and writes the activity log.
type auditTx interface {
	AppendAudits(ctx context.Context, es []*domain.AuditEntry) error
	Audit(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, error)
	CountAudit(ctx context.Context, f domain.AuditFilter) (int, error)
	ObjectNames(ctx context.Context, ids []string) (map[string]string, error)
	VerifyAudit(ctx context.Context) (domain.AuditVerdict, error)
	SiteHistory(ctx context.Context, siteID string, until time.Time) ([]*domain.AuditEntry, error)
	UserSiteHistory(ctx context.Context, userID string, until time.Time) ([]*domain.AuditEntry, error)
	UsersHistory(ctx context.Context, userIDs []string, until time.Time) ([]*domain.AuditEntry, error)
	SitesHistory(ctx context.Context, siteIDs []string, until time.Time) ([]*domain.AuditEntry, error)
}

// complianceTx reads and writes what the compliance report and the dormancy lock read.
type complianceTx interface {
	ComplianceUsers(ctx context.Context, orgIDs []string) ([]*domain.ComplianceUser, error)
	PartnerDomains(ctx context.Context, partnerIDs []string) (map[string]map[string]bool, error)
	ComplianceAssignments(ctx context.Context, orgIDs []string) ([]*domain.ComplianceAssignment, error)
	ComplianceOrgs(ctx context.Context, orgIDs []string) ([]*domain.Org, []int, error)
	SetDormancyExempt(ctx context.Context, userID string, exempt bool, reason, by string, now time.Time) error
	DormancyExemption(ctx context.Context, userID string) (string, error)
	DormantUsers(ctx context.Context, quietSince time.Time, limit int) ([]*domain.DormantUser, error)
	WarnDormant(ctx context.Context, userID string, now time.Time) error
	ComplianceSites(ctx context.Context, orgIDs []string) ([]*domain.ComplianceSite, error)
}

// credentialsTx reads and writes API tokens and seals.
type credentialsTx interface {
	CreateInvitation(ctx context.Context, tokenHash, userID string, expires, now time.Time) error
	UseInvitation(ctx context.Context, tokenHash string, now time.Time) (userID string, err error)
	CreateAPIToken(ctx context.Context, t *domain.APIToken, hash string) error
	UserByTokenHash(ctx context.Context, hash string) (*domain.User, *domain.Org, *domain.APIToken, error)
	TouchAPIToken(ctx context.Context, id string, now time.Time) error
	APITokens(ctx context.Context, userID string) ([]*domain.APIToken, error)
	RevokeAPIToken(ctx context.Context, userID, id string, now time.Time) error
	RevokeUserTokens(ctx context.Context, userID string, now time.Time) (int64, error)
	CreateEmailChange(ctx context.Context, tokenHash, userID, newEmail string, expires, now time.Time) error
	UseEmailChange(ctx context.Context, tokenHash string, now time.Time) (userID, newEmail string, err error)
}

// directoriesTx reads and writes directory settings and accounts.
type directoriesTx interface {
	SiteDirectory(ctx context.Context, siteID string) (*domain.SiteDirectory, error)
	PutSiteDirectory(ctx context.Context, d *domain.SiteDirectory) error
	CountSiteDirectories(ctx context.Context) (int, error)
	DirectoryAccount(ctx context.Context, siteID, userID string) (*domain.DirectoryAccount, error)
	OpenAccountPassword(a *domain.DirectoryAccount) (string, error)
	PutDirectoryAccount(ctx context.Context, a *domain.DirectoryAccount, password string) error
	MoveDirectoryAccount(ctx context.Context, id, from, to, lastError string, forget bool, now time.Time) (bool, error)
	ShowAccountPassword(ctx context.Context, id string, now time.Time) error
	DirectoryAccounts(ctx context.Context, siteID, userID string) ([]*domain.DirectoryAccount, error)
	DirectoryTasks(ctx context.Context, now time.Time, siteID, userID string, limit int) ([]domain.DirectoryTask, error)
}

// idempotencyTx reads and writes idempotency keys.
type idempotencyTx interface {
	ClaimIdempotencyKey(ctx context.Context, keyHash, requestHash string, now, staleBefore time.Time) (bool, *domain.Idempotent, error)
	CompleteIdempotencyKey(ctx context.Context, keyHash string, status int, contentType, body string) error
	ForgetIdempotencyKey(ctx context.Context, keyHash string) error
	ForgetIdempotencyKeysBefore(ctx context.Context, t time.Time) (int64, error)
}

// noticesTx reads and writes the notice outbox.
type noticesTx interface {
	CreateNotices(ctx context.Context, ns []*domain.Notice) error
	ForgetLinkSecrets(ctx context.Context, n *domain.Notice) error
	Notice(ctx context.Context, id string) (*domain.Notice, error)
	Notices(ctx context.Context, f domain.NoticeFilter) (domain.List[*domain.Notice], error)
	PendingNotices(ctx context.Context, limit int) ([]*domain.Notice, error)
	MarkNotice(ctx context.Context, id, state, lastError string, now time.Time) error
	UserNotices(ctx context.Context, userID string, limit int) ([]*domain.Notice, error)
}

// ssoSignInTx reads and writes sign-ins at an identity provider in progress.
type ssoSignInTx interface {
	OIDCProvider(ctx context.Context, orgID string) (*domain.OIDCProvider, error)
	SetOIDCProvider(ctx context.Context, p *domain.OIDCProvider) error
	CreateOIDCState(ctx context.Context, s *domain.OIDCState, now time.Time) error
	UseOIDCState(ctx context.Context, state string, now time.Time) (*domain.OIDCState, error)
	CloseInvitations(ctx context.Context, userID string, now time.Time) error
	OIDCOrgForDomain(ctx context.Context, domain string) (string, error)
}

// providerTx reads and writes the OpenID Connect provider's clients, codes, tokens and keys.
type providerTx interface {
	CreateAppClient(ctx context.Context, c *domain.AppClient, secretHash string) error
	AppClient(ctx context.Context, id string) (*domain.AppClient, error)
	AppClientSecretHash(ctx context.Context, id string) (string, error)
	AppClients(ctx context.Context, siteID string) ([]*domain.AppClient, error)
	SetAppClientSecret(ctx context.Context, id, secretHash string) error
	DeleteAppClient(ctx context.Context, id string, now time.Time) error
	CreateAuthRequest(ctx context.Context, a *domain.OIDCAuthRequest) error
	AuthRequest(ctx context.Context, id string, now time.Time) (*domain.OIDCAuthRequest, error)
	AuthRequestByCode(ctx context.Context, codeHash string, now time.Time) (*domain.OIDCAuthRequest, error)
	CompleteAuthRequest(ctx context.Context, id, userID, sessionHash string, at time.Time) error
	AuthRequestSession(ctx context.Context, id string) (string, error)
	UseAuthCode(ctx context.Context, id string) error
	SetAuthCode(ctx context.Context, id, codeHash string) error
	DeleteAuthRequest(ctx context.Context, id string, now time.Time) error
	OIDCToken(ctx context.Context, id string) (*domain.OIDCToken, error)
	RefreshTokenByHash(ctx context.Context, secretHash string) (*domain.OIDCToken, error)
	UseRefreshToken(ctx context.Context, secretHash, clientID string, now time.Time) (string, error)
	RevokeFamily(ctx context.Context, family string, now time.Time) error
	PruneOIDC(ctx context.Context, now time.Time) error
	CreateOIDCTokens(ctx context.Context, at, rt *domain.OIDCToken, secretHash string) error
	RevokeOIDCToken(ctx context.Context, id string, now time.Time) error
	RevokeUserClientTokens(ctx context.Context, userID, clientID string, now time.Time) error
	OIDCKeys(ctx context.Context, now time.Time) ([]*domain.OIDCKey, error)
	CreateOIDCKey(ctx context.Context, k *domain.OIDCKey) error
	OIDCCryptoKey(ctx context.Context, fresh string) (string, error)
	LastSignIns(ctx context.Context, siteID string, userIDs []string) (map[string]time.Time, error)
	AppClaims(ctx context.Context, userID, siteID string) (*domain.User, *domain.Site, *domain.Assignment, []*domain.Company, error)
}

// orgsTx reads and writes organisations.
type orgsTx interface {
	CreateOrg(ctx context.Context, o *domain.Org) error
	Org(ctx context.Context, sc domain.Scope, id string) (*domain.Org, error)
	Vendor(ctx context.Context) (*domain.Org, error)
	Orgs(ctx context.Context, f domain.OrgFilter) (domain.List[*domain.Org], error)
	UpdateOrg(ctx context.Context, o *domain.Org) error
	CustomerIDs(ctx context.Context, partnerID string) ([]string, error)
}

// partnerLinksTx reads and writes partner links.
type partnerLinksTx interface {
	RequestPartnerLink(ctx context.Context, l *domain.PartnerLinkRequest) error
	PartnerLinkRequest(ctx context.Context, customerID, partnerID string) (*domain.PartnerLinkRequest, error)
	PartnerLinkRequests(ctx context.Context, partnerID string) ([]*domain.PartnerLinkRequest, error)
	DeletePartnerLinkRequest(ctx context.Context, customerID string) error
}

// provisionerTx reads and writes the site provisioner's outbox and callbacks.
type provisionerTx interface {
	CreateProvisionerCall(ctx context.Context, c *domain.ProvisionerCall) error
	ProvisionerCall(ctx context.Context, id string) (*domain.ProvisionerCall, error)
	ProvisionerCalls(ctx context.Context, siteID string, limit int) ([]*domain.ProvisionerCall, error)
	PendingProvisionerCalls(ctx context.Context, limit int) ([]*domain.ProvisionerCall, error)
	MarkProvisionerCall(ctx context.Context, id, state string, status int, lastError string, now time.Time) error
	SitesProvisioningSince(ctx context.Context, cutoff time.Time, limit int) ([]*domain.Site, error)
	TakeCallbackSignature(ctx context.Context, sig string, now time.Time) error
	ForgetCallbackSignaturesBefore(ctx context.Context, t time.Time) error
}

// reviewsTx reads and writes review campaigns.
type reviewsTx interface {
	CreateCampaign(ctx context.Context, c *domain.Campaign) error
	Campaign(ctx context.Context, id string) (*domain.Campaign, error)
	Campaigns(ctx context.Context, orgIDs []string, limit int) ([]*domain.Campaign, error)
	CreateReview(ctx context.Context, r *domain.Review) error
	Review(ctx context.Context, id string) (*domain.Review, error)
	Reviews(ctx context.Context, f domain.ReviewFilter, limit int) ([]*domain.Review, error)
	ReviewsOpen(ctx context.Context, limit int) ([]*domain.Review, error)
	PutDecision(ctx context.Context, d *domain.ReviewDecision) error
	Decision(ctx context.Context, reviewID, userID string) (*domain.ReviewDecision, error)
	Decisions(ctx context.Context, reviewID, campaignID string) ([]*domain.ReviewDecision, error)
	OrgAccessList(ctx context.Context, orgID string) ([]*domain.OrgAccess, error)
	LastActive(ctx context.Context, userID string) (time.Time, error)
	ClaimDecision(ctx context.Context, reviewID, userID string, now time.Time) (bool, error)
	MoveReview(ctx context.Context, r *domain.Review, from string) (bool, error)
}

// scimTx reads and writes SCIM tokens, group mappings and lists.
type scimTx interface {
	CreateSCIMToken(ctx context.Context, t *domain.SCIMToken, hash string) error
	SCIMTokenByHash(ctx context.Context, hash string) (*domain.SCIMToken, error)
	SCIMTokenAnyOrg(ctx context.Context, id, orgID string) (*domain.SCIMToken, error)
	SCIMTokens(ctx context.Context, orgID, siteID string) ([]*domain.SCIMToken, error)
	RotateSCIMToken(ctx context.Context, id, hash string) error
	RevokeSCIMToken(ctx context.Context, id string, now time.Time) error
	TouchSCIMToken(ctx context.Context, id string, now time.Time) error
	SiteLastRead(ctx context.Context, siteID string) (time.Time, error)
	PutSCIMUser(ctx context.Context, u *domain.SCIMUser) error
	SCIMUser(ctx context.Context, orgID, userID string) (*domain.SCIMUser, error)
	IsProvisioned(ctx context.Context, userID string) (bool, error)
	SCIMUsers(ctx context.Context, orgID string, q domain.SCIMQuery) ([]*domain.SCIMUser, int, error)
	DeleteSCIMUser(ctx context.Context, userID string, now time.Time) error
	PutSCIMGroup(ctx context.Context, g *domain.SCIMGroup) error
	SCIMGroup(ctx context.Context, orgID, id string) (*domain.SCIMGroup, error)
	SCIMGroups(ctx context.Context, orgID string, q domain.SCIMQuery) ([]*domain.SCIMGroup, int, error)
	DeleteSCIMGroup(ctx context.Context, id string) error
	UserGroupRoles(ctx context.Context, userID string) ([]domain.Role, error)
	GroupRoles(ctx context.Context, orgID string) ([]domain.GroupRole, error)
	SetGroupRoles(ctx context.Context, orgID string, m []domain.GroupRole) error
	ProvisionedUsers(ctx context.Context, orgID string) ([]string, error)
}

// signInTx reads and writes sessions, throttles and second factors.
type signInTx interface {
	CreateSession(ctx context.Context, s *domain.Session, tokenHash string) error
	SessionSignedIn(ctx context.Context, id string) (time.Time, error)
	SessionByHash(ctx context.Context, tokenHash string) (*domain.Session, error)
	TouchSession(ctx context.Context, id string, now time.Time) error
	SetSessionMFA(ctx context.Context, id string) error
	Sessions(ctx context.Context, userID string) ([]*domain.Session, error)
	DeleteSession(ctx context.Context, userID, id string) error
	CountAttempt(ctx context.Context, key string, now time.Time, window time.Duration, limit int,
		lockout time.Duration) (domain.Throttle, error)
	ForgiveAttempt(ctx context.Context, key string) error
	CreatePasswordReset(ctx context.Context, tokenHash, userID string, expires, now time.Time) error
	UsePasswordReset(ctx context.Context, tokenHash string, now time.Time) (userID string, err error)
	TOTP(ctx context.Context, userID string) (*domain.TOTP, error)
	StartTOTP(ctx context.Context, userID, secret string, now time.Time) error
	UseTOTPStep(ctx context.Context, userID string, step int64, now time.Time) error
	DeleteTOTP(ctx context.Context, userID string) error
	SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error
	UseRecoveryCode(ctx context.Context, userID, hash string, now time.Time) error
}

// siteMembersTx reads and writes a site's user list.
type siteMembersTx interface {
	ForgetDeparturesBefore(ctx context.Context, before time.Time) error
	SiteMembers(ctx context.Context, q domain.SiteMemberQuery) ([]*domain.SiteMember, int, error)
	SiteMember(ctx context.Context, q domain.SiteMemberQuery, userID string) (*domain.SiteMember, error)
	SetSiteLink(ctx context.Context, siteID, userID, externalID string, now time.Time) error
}

// sitesTx reads and writes sites.
type sitesTx interface {
	CreateSite(ctx context.Context, s *domain.Site) error
	Site(ctx context.Context, sc domain.Scope, id string) (*domain.Site, error)
	SiteWithCustomer(ctx context.Context, sc domain.Scope, id string) (*domain.Site, *domain.Org, error)
	MoveSite(ctx context.Context, s *domain.Site, from domain.SiteState) (bool, error)
	Sites(ctx context.Context, f domain.SiteFilter) (domain.List[*domain.Site], error)
	CreateCompany(ctx context.Context, c *domain.Company) error
	Company(ctx context.Context, sc domain.Scope, id string) (*domain.Company, error)
	RenameCompany(ctx context.Context, id, name string) error
	Companies(ctx context.Context, siteID string, p domain.Page) (domain.List[*domain.Company], error)
	SitesToPurge(ctx context.Context, now time.Time, limit int) ([]*domain.Site, error)
	DeleteSiteAssignments(ctx context.Context, siteID string) ([]*domain.Assignment, error)
}

// ssoTx reads and writes single sign-on providers and domains.
type ssoTx interface {
	ClaimSSODomain(ctx context.Context, dom, orgID, token string, now time.Time) (owner string, err error)
	ReleaseSSODomains(ctx context.Context, orgID string, keep []string) error
	SSODomains(ctx context.Context, orgID string) ([]*domain.SSODomain, error)
	SSODomain(ctx context.Context, orgID, dom string) (*domain.SSODomain, error)
	VerifySSODomain(ctx context.Context, orgID, dom, by string, now time.Time) error
}

// changesTx tells which sites and users a transaction changed, so that their directory accounts follow.
type changesTx interface {
	Changed() (sites, users []string)
}

// usersTx reads and writes users.
type usersTx interface {
	SetTimeZone(ctx context.Context, userID, zone string) error
	CreateUser(ctx context.Context, u *domain.User) error
	UsersByID(ctx context.Context, ids []string) (map[string]*domain.User, error)
	User(ctx context.Context, sc domain.Scope, id string) (*domain.User, error)
	UserByEmail(ctx context.Context, email string) (*domain.User, error)
	Users(ctx context.Context, f domain.UserFilter) (domain.List[*domain.User], error)
	CountAdmins(ctx context.Context, orgID string, admin domain.Role, except string) (int, error)
	UpdateUser(ctx context.Context, u *domain.User) error
	SetPassword(ctx context.Context, userID, hash string) error
	PasswordHash(ctx context.Context, userID string) (string, error)
}

// webhooksTx reads and writes webhooks and their deliveries.
type webhooksTx interface {
	CreateWebhook(ctx context.Context, h *domain.Webhook) error
	Webhook(ctx context.Context, sc domain.Scope, id string) (*domain.Webhook, error)
	Webhooks(ctx context.Context, orgID string) ([]*domain.Webhook, error)
	DeleteWebhook(ctx context.Context, id string, now time.Time) error
	CreateDelivery(ctx context.Context, d *domain.WebhookDelivery) error
	Delivery(ctx context.Context, id string) (*domain.WebhookDelivery, error)
	Deliveries(ctx context.Context, webhookID string, p domain.Page) (domain.List[*domain.WebhookDelivery], error)
	PendingDeliveries(ctx context.Context, limit int) ([]*domain.WebhookDelivery, error)
	MarkDelivery(ctx context.Context, id, state string, status int, lastError string, now time.Time) error
}
