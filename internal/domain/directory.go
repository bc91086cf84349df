package domain

import "time"

// SiteDirectory is a professional site's LDAP directory (R-APP-3): where
// Provisio keeps an account for each person let into the site.
type SiteDirectory struct {
	SiteID       string    `json:"site_id"`
	URL          string    `json:"url"`
	StartTLS     bool      `json:"start_tls"`
	CAPEM        string    `json:"ca_pem,omitzero"`
	BindDN       string    `json:"bind_dn"`
	BindPassword string    `json:"-"`
	BaseDN       string    `json:"base_dn"`
	Flavor       string    `json:"kind"` // "openldap" or "ad"
	LoginAttr    string    `json:"login_attribute,omitzero"`
	UpdatedBy    string    `json:"updated_by"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// The states of a directory account.
const (
	AccountCreating  = "creating"  // the one-time password is chosen; the directory not yet told
	AccountActive    = "active"    // the account exists and is enabled
	AccountDisabling = "disabling" // access ended; the directory not yet told
	AccountDisabled  = "disabled"
)

// DirectoryAccount is a person's account in a site's directory.
type DirectoryAccount struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"site_id"`
	UserID    string    `json:"user_id"`
	DN        string    `json:"dn"`
	State     string    `json:"state"`
	Password  string    `json:"-"` // the one-time password until its owner saw it
	ShownAt   time.Time `json:"shown_at,omitzero"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// For lists: whose and which site's account it is.
	UserName, UserEmail, SiteName string `json:"-"`
}

// Pending reports whether the directory has yet to be told of a change.
func (a *DirectoryAccount) Pending() bool {
	return a.State == AccountCreating || a.State == AccountDisabling
}

// DirectoryTask is a person whose account in a site's directory is not
// as their access says it should be.
type DirectoryTask struct{ SiteID, UserID string }
