package domain

import "time"

// FindingKind is a kind of compliance finding (R-AUDIT-2).
type FindingKind string

// The kinds of findings, each with the rule it breaks.
const (
	FindGeneric         FindingKind = "generic_account"           // R-USER-3
	FindDisposable      FindingKind = "disposable_email"          // R-USER-2
	FindPartnerLogin    FindingKind = "partner_customer_login"    // R-ROLE-3, R-PARTNER-5
	FindPartnerTooLong  FindingKind = "partner_attached_too_long" // R-PARTNER-2, R-PARTNER-4
	FindSingleAdmin     FindingKind = "single_administrator"      // R-ROLE-5
	FindInviteUnused    FindingKind = "invitation_never_accepted" // R-USER-4
	FindDormant         FindingKind = "dormant_user"              // R-AUDIT-2
	FindNeverSignedIn   FindingKind = "never_signed_in"           // R-AUDIT-2
	FindLockedAssigned  FindingKind = "locked_user_assigned"      // R-USER-5
	FindProvisioning    FindingKind = "site_provisioning_failed"  // R-SITE-0
	FindDirectory       FindingKind = "directory_failing"         // R-APP-3
	FindingKindsInOrder             = "generic_account disposable_email partner_customer_login partner_attached_too_long " +
		"single_administrator invitation_never_accepted dormant_user never_signed_in locked_user_assigned " +
		"site_provisioning_failed directory_failing"
)

// FindingRules is the rule each kind of finding breaks.
var FindingRules = map[FindingKind]string{
	FindGeneric: "R-USER-3", FindDisposable: "R-USER-2", FindPartnerLogin: "R-ROLE-3", FindPartnerTooLong: "R-PARTNER-2",
	FindSingleAdmin: "R-ROLE-5", FindInviteUnused: "R-USER-4", FindDormant: "R-AUDIT-2", FindNeverSignedIn: "R-AUDIT-2",
	FindLockedAssigned: "R-USER-5", FindProvisioning: "R-SITE-0", FindDirectory: "R-APP-3",
}

// Finding is one thing the compliance report says breaks a rule: about
// whom, since when, and what fixes it.
type Finding struct {
	Kind      FindingKind
	Rule      string
	OrgID     string
	OrgName   string
	UserID    string // "" for an organisation's finding
	UserName  string
	UserEmail string
	SiteID    string // set when the finding is about an assignment
	SiteName  string
	Since     time.Time // zero: unknown
	Detail    string    // in plain words
	Fix       string    // what to do, in plain words
	FixLink   string    // the page where it is done
}

// ComplianceUser is a person of the report's scope with what the report
// looks at.
type ComplianceUser struct {
	User
	OrgName      string
	OrgKind      OrgKind
	OrgDemo      bool
	PartnerID    string // the organisation's partner of record
	LastActiveAt time.Time
	Exempt       string // why it is a break-glass account, never locked for dormancy; "" if not
}

// ComplianceAssignment is an assignment the report looks at: a partner's,
// or a locked user's.
type ComplianceAssignment struct {
	Assignment
	UserName, UserEmail string
	UserState           UserState
	UserUpdatedAt       time.Time
	SiteName            string
	Edition             Edition
	CustomerID          string
	CustomerName        string
}

// DormantUser is an active user of an organisation that locks its dormant
// users, quiet since Since (its last sign-in, or its creation), with the
// warning it got, if any.
type DormantUser struct {
	User
	OrgName  string
	Since    time.Time
	WarnedAt time.Time
}

// ComplianceSite is a site whose infrastructure is failing: its
// provisioning failed, or its directory has refused or not answered for
// some accounts.
type ComplianceSite struct {
	Site
	CustomerName     string
	PendingAccounts  int       // directory accounts still waiting after a failed attempt
	PendingSince     time.Time // the oldest of them
	LastAccountError string
}
