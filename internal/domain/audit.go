package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// AuditEntry is one line of the activity log (R-AUDIT-1).
type AuditEntry struct {
	Seq        int64
	At         time.Time
	ActorID    string // "" for the system
	ActorOrgID string
	OrgID      string // the tenant the object belongs to
	Action     string // e.g. "user.create"
	ObjectType string
	ObjectID   string
	Before     json.RawMessage
	After      json.RawMessage
	RemoteAddr string
	PrevHash   string
	Hash       string
}

// ComputeHash returns the entry's hash: SHA-256 over the previous entry's
// hash and every recorded field, so editing or removing any entry breaks
// the chain from there on.
func (e *AuditEntry) ComputeHash() string {
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.At.UnixMicro(), 10),
		e.ActorID, e.ActorOrgID, e.OrgID, e.Action, e.ObjectType, e.ObjectID,
		string(e.Before), string(e.After), e.RemoteAddr,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditFilter narrows the activity log. Nil fields are not set.
type AuditFilter struct {
	OrgIDs []string // scope: entries of these tenants only; nil means all
	// SharedOrgIDs widens the scope to the entries of these tenants that
	// their partner may read: their sites and the partner's access to
	// them, never their people (R-ORG-1).
	SharedOrgIDs []string
	ActorID      *string
	Action       *string
	ObjectType   *string
	ObjectID     *string
	Since        *time.Time
	Until        *time.Time
	AfterSeq     int64
	BeforeSeq    int64   // entries older than this one
	Newest       bool    // newest first (by default oldest first)
	ActionPrefix *string // a kind of action: "user.", "site.", …
	SiteID       *string // entries about a site: the site itself, and assignments to it
	Limit        int
}

// AuditVerdict is the result of checking the chain.
type AuditVerdict struct {
	Intact   bool
	Entries  int64
	BrokenAt int64  // first sequence number that fails, 0 when intact
	Problem  string // what is wrong there
}
