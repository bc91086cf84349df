package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	filter "github.com/scim2/filter-parser/v2"
)

// SCIMQuery narrows and pages a SCIM list (RFC 7644 section 3.4.2).
type SCIMQuery struct {
	Filter     filter.Expression // nil: everything
	StartIndex int               // 1-based
	Count      int               // 0: only the total
}

// SCIMToken is a secret that a SCIM client presents (R-APP-1, R-APP-4).
// A token with a SiteID belongs to the site's application and reads the
// site's users; one without belongs to the organisation's identity
// provider and manages the organisation's users.
type SCIMToken struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"org_id"`
	SiteID     string    `json:"site_id,omitempty"`
	Name       string    `json:"name"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// SCIMUser is an identity provider's record of a user it provisioned
// (R-APP-4): its own name for the user, and the attributes it sent, kept
// as they came (Doc) and returned on every read.
type SCIMUser struct {
	UserID      string
	OrgID       string
	UserName    string
	ExternalID  string
	DisplayName string
	GivenName   string
	FamilyName  string
	Formatted   string
	Active      bool
	Emails      []SCIMEmail
	Doc         json.RawMessage // the other attributes, as a JSON object
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Groups      []SCIMGroupRef // filled on read
}

// SCIMEmail is one of a SCIM user's email addresses.
type SCIMEmail struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// SCIMGroupRef names a group a SCIM user belongs to.
type SCIMGroupRef struct {
	ID          string
	DisplayName string
}

// SCIMGroup is a group of an organisation's identity provider. Members
// of a group whose name is mapped to a role hold that role (R-APP-4).
type SCIMGroup struct {
	ID          string
	OrgID       string
	DisplayName string
	ExternalID  string
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Members     []SCIMMember
}

// SCIMMember is one member of a SCIM group.
type SCIMMember struct {
	UserID  string
	Display string
}

// GroupRole maps the identity provider's group name to a role of the
// organisation (R-APP-4).
type GroupRole struct {
	Group string `json:"group"`
	Role  Role   `json:"role"`
}

// LinkState is how a site's application stands with a portal user
// (R-APP-1).
type LinkState string

// The link states: New (has access, not linked), Linked (has access and an
// account of the application), Unlinked (linked, but no longer has
// access: the application should disable or relink its account).
const (
	LinkNew      LinkState = "new"
	LinkLinked   LinkState = "linked"
	LinkUnlinked LinkState = "unlinked"
)

// SiteMember is one row of the list a site's application reads (R-APP-1):
// a user with access now, or one who lost it within the retention period.
type SiteMember struct {
	User       *User
	Role       Role
	Via        AccessVia
	ExpiresAt  time.Time // for partner grants
	Active     bool      // the access decision says yes now
	LeftAt     time.Time // when access was lost, if it was
	ExternalID string    // the application's own account, "" if not linked
	Companies  []string
}

// ETag is a weak entity tag of the row: it changes whenever anything the
// application reads of it does.
func (m *SiteMember) ETag() string {
	u := m.User
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%s|%s|%v|%s|%s|%d|%d|%d|%t|%s|%v",
		u.ID, u.Email, u.Name, u.State, u.Roles, m.Role, m.Via, m.ExpiresAt.UnixMicro(), m.LeftAt.UnixMicro(),
		u.UpdatedAt.UnixMicro(), m.Active, m.ExternalID, m.Companies))
	return `W/"` + hex.EncodeToString(sum[:8]) + `"`
}

// Link is the state of the member's link to the site's application.
func (m *SiteMember) Link() LinkState {
	switch {
	case m.Active && m.ExternalID == "":
		return LinkNew
	case m.Active:
		return LinkLinked
	case m.ExternalID != "":
		return LinkUnlinked
	}
	return ""
}

// SiteMemberQuery selects the rows of a site's user list (R-APP-1).
type SiteMemberQuery struct {
	SiteID string
	Ready  bool      // the site is ready: only then can anyone use it
	Now    time.Time // grants that ended by now are inactive
	Since  time.Time // users who left before this are no longer listed
	SCIMQuery
}
