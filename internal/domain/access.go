package domain

import "time"

// RequestState is where a partner access request is (R-PARTNER-1, R-PARTNER-4).
type RequestState string

// The request states.
const (
	RequestPending   RequestState = "pending"
	RequestApproved  RequestState = "approved"
	RequestDenied    RequestState = "denied"
	RequestExpired   RequestState = "expired"   // nobody answered in time
	RequestWithdrawn RequestState = "withdrawn" // the partner unassigned before an answer
)

// Request kinds.
const (
	RequestGrant     = "grant"     // first access
	RequestExtension = "extension" // more time on current access (R-PLUS-1)
)

// AccessRequest is a partner user's request to reach a customer's
// standard-edition site, which the customer's administrators answer.
type AccessRequest struct {
	ID           string       `json:"id"`
	SiteID       string       `json:"site_id"`
	UserID       string       `json:"user_id"`
	Role         Role         `json:"role"`
	Kind         string       `json:"kind"`
	State        RequestState `json:"state"`
	RequestedBy  string       `json:"requested_by"`
	ExpiresAt    time.Time    `json:"expires_at"` // when an unanswered request lapses
	DecidedBy    string       `json:"decided_by,omitzero"`
	DecidedAt    time.Time    `json:"decided_at,omitzero"`
	GrantedUntil time.Time    `json:"granted_until,omitzero"`
	CreatedAt    time.Time    `json:"created_at"`
}

// Lapsed reports whether the request is pending and its answer time has
// come by now: nobody answered in time, so it counts as expired whether or
// not the sweep has marked it yet, and it can no longer be answered
// (R-PARTNER-4). It lapses at ExpiresAt exactly. This is the rule's one
// statement in Go; internal/store writes the same predicate once in SQL,
// for queries that filter in the database.
func (r *AccessRequest) Lapsed(now time.Time) bool {
	return r.State == RequestPending && !now.Before(r.ExpiresAt)
}

// EffectiveState is the request's state as seen at now: RequestExpired
// for a lapsed request, its stored State otherwise.
func (r *AccessRequest) EffectiveState(now time.Time) RequestState {
	if r.Lapsed(now) {
		return RequestExpired
	}
	return r.State
}

// AccessLink is a single-use link mailed in a notice: approve or deny a
// request (R-PARTNER-1), or ask to extend access (R-PLUS-1). Its token is
// a secret in the mail: only the token's hash is stored, and it is not a
// field here.
type AccessLink struct {
	Action       string    `json:"action"` // approve, deny or extend
	RequestID    string    `json:"request_id,omitzero"`
	AssignmentID string    `json:"assignment_id,omitzero"`
	UserID       string    `json:"user_id"` // who the link was mailed to
	ExpiresAt    time.Time `json:"expires_at"`
}

// AccessRequestFilter narrows a list of requests. Nil fields are not set.
type AccessRequestFilter struct {
	SiteID     *string
	UserID     *string
	CustomerID *string // requests for the customer's sites
	PartnerID  *string // requests by the partner's users
	State      *RequestState
	Page
}
