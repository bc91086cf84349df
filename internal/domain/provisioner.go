package domain

import "time"

// The events Provisio sends to the vendor's site provisioner (R-SITE-0):
// a request to build a site, and each later change of its state, so that
// the vendor's automation can act on them.
const (
	HookProvision = "site.provision"
	HookSuspended = "site.suspended"
	HookResumed   = "site.resumed"
	HookCancelled = "site.cancelled"
	HookRestored  = "site.restored"
	HookDeleted   = "site.deleted"
)

// ProvisionerCall is one event sent (or to be sent) to the site
// provisioner. Its states are those of a webhook delivery.
type ProvisionerCall struct {
	ID          string    `json:"id"`
	SiteID      string    `json:"site_id"`
	Event       string    `json:"event"`
	Payload     string    `json:"payload"`
	State       string    `json:"state"`
	Attempts    int       `json:"attempts"`
	LastStatus  int       `json:"last_status"`
	LastError   string    `json:"last_error,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
}

// ProvisionResult is what the provisioner's callback reports about a site.
type ProvisionResult struct {
	SiteID string `json:"site_id"`
	Status string `json:"status"` // "ready" or "failed"
	Error  string `json:"error,omitempty"`
}
