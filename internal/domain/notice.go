package domain

import "time"

// Notice kinds (SPEC section 8).
const (
	NoticeInvitation    = "invitation"
	NoticeUserAdded     = "user_added_to_site"
	NoticeEmailChange   = "email_change"
	NoticePasswordReset = "password_reset"
	NoticeSiteSuspended = "site_suspended"
	NoticeSiteCancelled = "site_cancelled"
	NoticeSiteRestored  = "site_restored"
	NoticeSiteResumed   = "site_resumed"
	NoticeSiteDeleted   = "site_deleted"

	NoticeAccessRequested    = "access_requested"
	NoticeAccessApproved     = "access_approved"
	NoticeAccessGranted      = "access_granted"
	NoticeAccessDenied       = "access_denied"
	NoticeAccessExpired      = "access_expired"
	NoticeAccessRevoked      = "access_revoked"
	NoticeAccessRemoved      = "access_removed"
	NoticeAccessReminder     = "access_reminder"
	NoticeRequestExpired     = "request_expired"
	NoticePartnerImmediate   = "partner_access_immediate"
	NoticeAccountantAssigned = "accountant_assigned"
	NoticeAccountantInvited  = "accountant_invited"

	NoticePartnerLinkRequested = "partner_link_requested"   // a customer asks a partner to become its partner of record
	NoticePartnerLinkAnswered  = "partner_link_answered"    // the partner accepted or declined (Reason says which)
	NoticeDormancyWarning      = "dormancy_warning"         // R-PLUS-4: the account will be locked unless the person signs in
	NoticeProvisioningFailed   = "site_provisioning_failed" // R-SITE-0: the provisioner failed or did not answer
	NoticeDirectoryAccount     = "directory_account_ready"  // R-APP-3: an account in a site's directory; the password is on the portal
	NoticeReviewRequested      = "audit_reminder"           // R-AUDIT-3: review your users (at opening, and as reminders)
	NoticeReviewOverdue        = "review_overdue"           // R-AUDIT-3: to operators, a review not done by its due date
	NoticeReviewAutoRemoved    = "review_auto_removed"      // R-PLUS-5: unconfirmed access was removed at the due date
	NoticeReviewRemoved        = "review_removed"           // R-AUDIT-3: to a user whose access a review removed
	NoticeInvitationToPass     = "invitation_to_pass"       // R-USER-4: no mail server, so the inviter passes the link on
)

// Notice delivery states.
const (
	NoticeLocal   = "local"   // kept in the local mailbox: no mail server configured (R-NOTE-2)
	NoticePending = "pending" // waiting for delivery
	NoticeSent    = "sent"
	NoticeFailed  = "failed"
)

// Notice is one email, recorded in the outbox in the same transaction as
// the change that caused it (R-NOTE-1).
type Notice struct {
	ID       string
	Kind     string
	OrgID    string // the tenant it concerns
	ToUserID string
	ToEmail  string
	Subject  string
	Body     string // plain text
	BodyHTML string
	// TemplateData is what the notice shows, as its template's data in
	// JSON; the bodies are rendered from it when the notice is sent or
	// read. Empty for a notice stored with its bodies rendered.
	TemplateData string
	State        string
	Attempts     int
	LastError    string
	CreatedAt    time.Time
	SentAt       time.Time
}

// NoticeFilter narrows the mailbox.
type NoticeFilter struct {
	ToEmail *string
	Kind    *string
	Page
}
