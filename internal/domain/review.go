package domain

import "time"

// Campaign is one round of user reviews (R-AUDIT-3): opened on the
// schedule (ScheduleKey is its date) or by an operator, with one review
// per organisation, all due at once.
type Campaign struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ScheduleKey string    `json:"schedule_key,omitzero"` // "2027-01-01" for a scheduled campaign
	OpenedBy    string    `json:"opened_by,omitzero"`    // the operator; "" for the schedule
	OpenedAt    time.Time `json:"opened_at"`
	DueAt       time.Time `json:"due_at"`
}

// The states of a review.
const (
	ReviewOpen       = "open"
	ReviewCompleted  = "completed"   // every user confirmed or removed
	ReviewEscalated  = "escalated"   // not done by the due date: the operators were told
	ReviewAutoClosed = "auto_closed" // not done by the due date: unconfirmed access was removed (R-PLUS-5)
)

// Review is one organisation's part of a campaign.
type Review struct {
	ID          string    `json:"id"`
	CampaignID  string    `json:"campaign_id"`
	OrgID       string    `json:"org_id"`
	State       string    `json:"state"`
	DueAt       time.Time `json:"due_at"`
	Reminders   int       `json:"reminders"` // reminders sent so far
	CompletedAt time.Time `json:"completed_at,omitzero"`
	CompletedBy string    `json:"completed_by,omitzero"`
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`

	// For lists.
	OrgName, CampaignName string `json:"-"`
	Users, Decided        int    `json:"-"` // the organisation's users, and those decided
}

// Done reports whether the review needs nothing more.
func (r *Review) Done() bool { return r.State == ReviewCompleted || r.State == ReviewAutoClosed }

// The decisions on a user in a review.
const (
	DecideConfirm  = "confirm"  // keeps their access
	DecideLock     = "lock"     // locked: no access anywhere (R-USER-5)
	DecideUnassign = "unassign" // removed from chosen sites
	// Made by Provisio at the due date (R-PLUS-5) or by an operator on an
	// overdue review; a last administrator is kept (R-ROLE-5).
	DecideAutoLock     = "auto_lock"
	DecideAutoUnassign = "auto_unassign"
	DecideKept         = "kept"
)

// Removes reports whether a decision took access away.
func Removes(decision string) bool {
	return decision != DecideConfirm && decision != DecideKept
}

// ReviewDecision is what was decided about one user in a review, with the
// user as they were at that moment.
type ReviewDecision struct {
	ReviewID  string    `json:"review_id"`
	UserID    string    `json:"user_id"`
	Decision  string    `json:"decision"`
	SiteIDs   []string  `json:"site_ids,omitempty"` // for unassign: the sites removed
	Comment   string    `json:"comment,omitzero"`
	DecidedBy string    `json:"decided_by"` // "" for Provisio
	DecidedAt time.Time `json:"decided_at"`
	Snapshot  string    `json:"snapshot"` // JSON: the user's roles, state, sites and last sign-in then

	// For lists and exports.
	UserName, UserEmail, DeciderName string   `json:"-"`
	SiteNames                        []string `json:"-"` // of SiteIDs, in order

}

// ReviewFilter narrows a list of reviews. Nil fields are not set.
type ReviewFilter struct {
	OrgIDs     []string // nil: every organisation
	CampaignID *string
	State      *string
}

// OrgAccess is one site assignment of a person of an organisation, for a
// review.
type OrgAccess struct {
	UserID    string
	SiteID    string
	SiteName  string
	Role      Role
	Via       AccessVia
	ExpiresAt time.Time
}
