package api

import (
	"encoding/json"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// Org is an organisation as the API shows it.
type Org struct {
	ID               string    `json:"id"`
	Kind             string    `json:"kind" enum:"vendor,partner,customer"`
	Name             string    `json:"name"`
	PartnerID        string    `json:"partner_id,omitempty"`
	Demo             bool      `json:"demo"`
	MainContactID    string    `json:"main_contact_id,omitempty"`
	RequireMFA       bool      `json:"require_mfa" doc:"its users need a second factor (R-PLUS-3)"`
	LockDormant      bool      `json:"lock_dormant" doc:"its users not signed in for the dormancy period are locked (R-PLUS-4)"`
	ReviewAutoRemove string    `json:"review_auto_remove,omitempty" enum:",lock,unassign" doc:"what happens at a review's due date to users nobody confirmed (R-PLUS-5)"`
	CreatedAt        time.Time `json:"created_at"`
}

func orgOut(o *domain.Org) Org {
	return Org{ID: o.ID, Kind: string(o.Kind), Name: o.Name, PartnerID: o.PartnerID, Demo: o.Demo,
		MainContactID: o.MainContactID, RequireMFA: o.RequireMFA, LockDormant: o.LockDormant, ReviewAutoRemove: o.ReviewAutoRemove, CreatedAt: o.CreatedAt}
}

// User is a user as the API shows it.
type User struct {
	ID              string     `json:"id"`
	OrgID           string     `json:"org_id"`
	Type            string     `json:"type" enum:"operator,partner,customer,accountant"`
	Email           string     `json:"email"`
	Name            string     `json:"name"`
	Roles           []string   `json:"roles"`
	State           string     `json:"state" enum:"invited,active,locked,deleted"`
	Generic         bool       `json:"generic" doc:"R-USER-3: the address looks like a shared mailbox"`
	InviteExpiresAt *time.Time `json:"invite_expires_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

func userOut(u *domain.User) User {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return User{ID: u.ID, OrgID: u.OrgID, Type: string(u.Type), Email: u.Email, Name: u.Name, Roles: roles,
		State: string(u.State), Generic: u.Generic, InviteExpiresAt: timePtr(u.InviteExpiresAt),
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Site is a site as the API shows it.
type Site struct {
	ID             string     `json:"id"`
	CustomerID     string     `json:"customer_id"`
	Name           string     `json:"name"`
	Edition        string     `json:"edition" enum:"standard,professional"`
	State          string     `json:"state" enum:"provisioning,failed,ready,suspended,cancelled,deleted"`
	SuspendReason  string     `json:"suspend_reason,omitempty"`
	SuspendUntil   *time.Time `json:"suspend_until,omitempty"`
	PurgeAt        *time.Time `json:"purge_at,omitempty" doc:"end of stasis for a cancelled site"`
	ProvisionError string     `json:"provision_error,omitempty" doc:"why provisioning failed, for a failed site (R-SITE-0)"`
	CustomerName   string     `json:"customer_name,omitempty" doc:"the customer's name (in lists)"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func siteOut(s *domain.Site) Site {
	return Site{ID: s.ID, CustomerID: s.CustomerID, Name: s.Name, Edition: string(s.Edition), State: string(s.State),
		SuspendReason: s.SuspendReason, SuspendUntil: timePtr(s.SuspendUntil), PurgeAt: timePtr(s.PurgeAt),
		ProvisionError: s.ProvisionError, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// Company is one of a site's legal entities.
type Company struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"site_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func companyOut(c *domain.Company) Company {
	return Company{ID: c.ID, SiteID: c.SiteID, Name: c.Name, CreatedAt: c.CreatedAt}
}

// Assignment gives a user access to a site.
type Assignment struct {
	ID        string     `json:"id"`
	SiteID    string     `json:"site_id"`
	UserID    string     `json:"user_id"`
	Role      string     `json:"role"`
	Via       string     `json:"via" enum:"member,partner,accountant"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func assignmentOut(a *domain.Assignment) Assignment {
	return Assignment{ID: a.ID, SiteID: a.SiteID, UserID: a.UserID, Role: string(a.Role), Via: string(a.Via),
		ExpiresAt: timePtr(a.ExpiresAt), CreatedAt: a.CreatedAt}
}

// SiteUser is one row of a site's dashboard (R-SITE-4).
type SiteUser struct {
	Assignment
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	State     string   `json:"state"`
	Companies []string `json:"companies"`
}

// Access is the access decision.
type Access struct {
	Allowed   bool       `json:"allowed"`
	Reason    string     `json:"reason"`
	Role      string     `json:"role,omitempty"`
	Via       string     `json:"via,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// AuditEntry is one line of the activity log (R-AUDIT-1).
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id"`
	ActorName  string          `json:"actor_name,omitempty" doc:"the person's name, or the SCIM token's"`
	ActorOrgID string          `json:"actor_org_id"`
	OrgID      string          `json:"org_id"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	RemoteAddr string          `json:"remote_addr"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

func auditOut(e *domain.AuditEntry) AuditEntry {
	return AuditEntry{Seq: e.Seq, At: e.At, ActorID: e.ActorID, ActorOrgID: e.ActorOrgID, OrgID: e.OrgID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Before: e.Before, After: e.After,
		RemoteAddr: e.RemoteAddr, PrevHash: e.PrevHash, Hash: e.Hash}
}

// Notice is one email of the outbox and local mailbox.
type Notice struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	OrgID     string     `json:"org_id"`
	ToUserID  string     `json:"to_user_id"`
	ToEmail   string     `json:"to_email"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	State     string     `json:"state" enum:"local,pending,sent,failed"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

func noticeOut(n *domain.Notice) Notice {
	return Notice{ID: n.ID, Kind: n.Kind, OrgID: n.OrgID, ToUserID: n.ToUserID, ToEmail: n.ToEmail, Subject: n.Subject,
		Body: n.Body, State: n.State, Attempts: n.Attempts, LastError: n.LastError, CreatedAt: n.CreatedAt,
		SentAt: timePtr(n.SentAt)}
}

// Token is a personal API token; Secret is present only when it is issued.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Secret     string     `json:"token,omitempty" doc:"the token itself: shown once, send it as Authorization: Bearer"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func tokenOut(t *domain.APIToken, secret string) Token {
	return Token{ID: t.ID, Name: t.Name, Secret: secret, CreatedAt: t.CreatedAt, LastUsedAt: timePtr(t.LastUsedAt),
		RevokedAt: timePtr(t.RevokedAt)}
}

// Warning is advice about an accepted change.
type Warning struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func warningsOut(ws []app.Warning) []Warning {
	out := make([]Warning, len(ws))
	for i, w := range ws {
		out[i] = Warning{Rule: w.Rule, Message: w.Message}
	}
	return out
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty" doc:"pass as cursor to get the next page; absent on the last page"`
}

func pageOut[D, T any](l domain.List[D], conv func(D) T) Page[T] {
	out := Page[T]{Items: make([]T, len(l.Items)), NextCursor: l.NextCursor}
	for i, x := range l.Items {
		out.Items[i] = conv(x)
	}
	return out
}

// PageParams are the paging query parameters of every list.
type PageParams struct {
	Cursor string `query:"cursor" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"0" maximum:"200" doc:"page size, 50 by default"`
}

func (p PageParams) page() domain.Page { return domain.Page{Cursor: p.Cursor, Limit: p.Limit} }
