package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

// Org is an organisation as the API shows it.
type Org struct {
	ID               string    `json:"id" doc:"the organisation's id" example:"org_01kjyvahs0jdypew7da395kjeb"`
	Kind             string    `json:"kind" enum:"vendor,partner,customer" doc:"vendor (the one running Provisio), a reseller partner, or a customer" example:"customer"`
	Name             string    `json:"name" doc:"the organisation's name" example:"Harbour Dental"`
	PartnerID        string    `json:"partner_id,omitempty" doc:"a customer's partner of record; absent for a directly supported customer" example:"org_01kjtw9kn0hy14x8rzq06vtv72"`
	Demo             bool      `json:"demo" doc:"a customer that is its partner's own demo customer, where partner staff may hold customer logins (R-ROLE-3)" example:"false"`
	MainContactID    string    `json:"main_contact_id,omitempty" doc:"the user who is the organisation's main contact (R-ORG-2)" example:"usr_01kk2tbfx02cdjh3r9ahyb84pa"`
	RequireMFA       bool      `json:"require_mfa" doc:"its users need a second factor (R-PLUS-3)" example:"true"`
	LockDormant      bool      `json:"lock_dormant" doc:"its users not signed in for the dormancy period are locked (R-PLUS-4)" example:"false"`
	ReviewAutoRemove string    `json:"review_auto_remove,omitempty" enum:",lock,unassign" doc:"what happens at a review's due date to users nobody confirmed (R-PLUS-5)" example:"lock"`
	CreatedAt        time.Time `json:"created_at" doc:"when the organisation was created" example:"2026-03-02T09:15:00Z"`
}

func orgOut(o *domain.Org) Org {
	return Org{ID: o.ID, Kind: string(o.Kind), Name: o.Name, PartnerID: o.PartnerID, Demo: o.Demo,
		MainContactID: o.MainContactID, RequireMFA: o.RequireMFA, LockDormant: o.LockDormant, ReviewAutoRemove: o.ReviewAutoRemove, CreatedAt: o.CreatedAt}
}

// User is a user as the API shows it.
type User struct {
	ID              string     `json:"id" doc:"the user's id" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	OrgID           string     `json:"org_id" doc:"the organisation the user belongs to, fixed at creation (R-ORG-3); empty for an accountant" example:"org_01kjyvahs0jdypew7da395kjeb"`
	Type            string     `json:"type" enum:"operator,partner,customer,accountant" doc:"the one kind of login the user is (R-ROLE-3)" example:"customer"`
	Email           string     `json:"email" doc:"the user's own address, unique across Provisio (R-USER-1)" example:"tom.reed@harbour-dental.example"`
	Name            string     `json:"name" doc:"the person's full name" example:"Tom Reed"`
	Roles           []string   `json:"roles" doc:"the roles the user holds in its organisation (R-ROLE-4)" example:"[\"customer_user\"]"`
	State           string     `json:"state" enum:"invited,active,locked,deleted" doc:"invited until the person registers (R-USER-4); locked and deleted users reach nothing (R-USER-5)" example:"active"`
	Generic         bool       `json:"generic" doc:"R-USER-3: the address looks like a shared mailbox" example:"false"`
	InviteExpiresAt *time.Time `json:"invite_expires_at,omitempty" doc:"when the invitation stops working, for an invited user (R-USER-4)" example:"2026-03-09T09:15:00Z"`
	CreatedAt       time.Time  `json:"created_at" doc:"when the user was created" example:"2026-03-02T09:15:00Z"`
	UpdatedAt       time.Time  `json:"updated_at" doc:"when the user last changed" example:"2026-03-04T16:40:00Z"`
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
	ID             string     `json:"id" doc:"the site's id" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	CustomerID     string     `json:"customer_id" doc:"the customer the site belongs to" example:"org_01kjyvahs0jdypew7da395kjeb"`
	Name           string     `json:"name" doc:"the site's name" example:"harbour-dental-prod"`
	Edition        string     `json:"edition" enum:"standard,professional" doc:"standard: hosted by the vendor; professional: hosted through the partner's cloud agreement" example:"standard"`
	State          string     `json:"state" enum:"provisioning,failed,ready,suspended,cancelled,deleted" doc:"where the site is in its life (R-SITE-0, R-SITE-1, R-SITE-2)" example:"ready"`
	SuspendReason  string     `json:"suspend_reason,omitempty" doc:"why the site is suspended, for a suspended site (R-SITE-1)" example:"invoice 2026-0142 unpaid"`
	SuspendUntil   *time.Time `json:"suspend_until,omitempty" doc:"the expected end of the suspension (R-SITE-1)" example:"2026-04-01T00:00:00Z"`
	PurgeAt        *time.Time `json:"purge_at,omitempty" doc:"end of stasis for a cancelled site, when it is deleted (R-SITE-2)" example:"2026-03-16T09:15:00Z"`
	ProvisionError string     `json:"provision_error,omitempty" doc:"why provisioning failed, for a failed site (R-SITE-0)" example:"no capacity left in region eu-west"`
	CustomerName   string     `json:"customer_name,omitempty" doc:"the customer's name (in lists)" example:"Harbour Dental"`
	CreatedAt      time.Time  `json:"created_at" doc:"when the site was created" example:"2026-03-02T09:15:00Z"`
	UpdatedAt      time.Time  `json:"updated_at" doc:"when the site last changed" example:"2026-03-02T09:16:05Z"`
}

func siteOut(s *domain.Site) Site {
	return Site{ID: s.ID, CustomerID: s.CustomerID, Name: s.Name, Edition: string(s.Edition), State: string(s.State),
		SuspendReason: s.SuspendReason, SuspendUntil: timePtr(s.SuspendUntil), PurgeAt: timePtr(s.PurgeAt),
		ProvisionError: s.ProvisionError, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// Company is one of a site's legal entities.
type Company struct {
	ID        string    `json:"id" doc:"the company's id" example:"co_01kktmh4n09bmmb56yd7qkjzzz"`
	SiteID    string    `json:"site_id" doc:"the site the company is part of" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	Name      string    `json:"name" doc:"the legal entity's name" example:"Harbour Dental Ltd"`
	CreatedAt time.Time `json:"created_at" doc:"when the company was created" example:"2026-03-02T09:15:00Z"`
}

func companyOut(c *domain.Company) Company {
	return Company{ID: c.ID, SiteID: c.SiteID, Name: c.Name, CreatedAt: c.CreatedAt}
}

// Assignment gives a user access to a site.
type Assignment struct {
	ID        string     `json:"id" doc:"the assignment's id" example:"asg_01km2jk0x0rckrna2g79m2016h"`
	SiteID    string     `json:"site_id" doc:"the site the user may reach" example:"site_01kkpng6h0d3aqrf08caygs4pm"`
	UserID    string     `json:"user_id" doc:"the user assigned" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Role      string     `json:"role" doc:"the role the user has on the site (R-ROLE-4)" example:"customer_user"`
	Via       string     `json:"via" enum:"member,partner,accountant" doc:"how the user got access: as a member of the customer, by a partner grant, or as an accountant" example:"member"`
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"when a partner grant ends (R-PARTNER-2); absent: it does not" example:"2026-03-09T09:15:00Z"`
	CreatedAt time.Time  `json:"created_at" doc:"when the user was assigned" example:"2026-03-02T09:15:00Z"`
}

func assignmentOut(a *domain.Assignment) Assignment {
	return Assignment{ID: a.ID, SiteID: a.SiteID, UserID: a.UserID, Role: string(a.Role), Via: string(a.Via),
		ExpiresAt: timePtr(a.ExpiresAt), CreatedAt: a.CreatedAt}
}

// SiteUser is one row of a site's dashboard (R-SITE-4).
type SiteUser struct {
	Assignment
	Name      string   `json:"name" doc:"the user's name" example:"Tom Reed"`
	Email     string   `json:"email" doc:"the user's email address" example:"tom.reed@harbour-dental.example"`
	State     string   `json:"state" enum:"invited,active,locked,deleted" doc:"the user's state" example:"active"`
	Companies []string `json:"companies" doc:"the ids of the site's companies the user is assigned to (R-SITE-3)" example:"[\"co_01kktmh4n09bmmb56yd7qkjzzz\"]"`
}

// Access is the access decision.
type Access struct {
	Allowed   bool       `json:"allowed" doc:"the user may use the site (and the company) now" example:"true"`
	Reason    string     `json:"reason" doc:"why not, or how, in plain words" example:"assigned to the site as customer_user"`
	Role      string     `json:"role,omitempty" doc:"the user's role on the site, when allowed" example:"customer_user"`
	Via       string     `json:"via,omitempty" enum:"member,partner,accountant" doc:"how the user got access, when allowed" example:"member"`
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"when the access ends, for a partner grant (R-PARTNER-2)" example:"2026-03-09T09:15:00Z"`
}

// AuditEntry is one line of the activity log (R-AUDIT-1).
type AuditEntry struct {
	Seq        int64           `json:"seq" doc:"the entry's place in the log, counting from 1" example:"4182"`
	At         time.Time       `json:"at" doc:"when the change was made" example:"2026-03-02T09:15:00Z"`
	ActorID    string          `json:"actor_id" doc:"who made the change: a user, or a SCIM token; empty for Provisio's own jobs" example:"usr_01kk2tbfx02cdjh3r9ahyb84pa"`
	ActorName  string          `json:"actor_name,omitempty" doc:"the person's name, or the SCIM token's" example:"Maria Lopez"`
	ActorOrgID string          `json:"actor_org_id" doc:"the organisation the actor acted for" example:"org_01kjyvahs0jdypew7da395kjeb"`
	OrgID      string          `json:"org_id" doc:"the organisation whose data changed" example:"org_01kjyvahs0jdypew7da395kjeb"`
	Action     string          `json:"action" doc:"what was done, as object.verb" example:"user.lock"`
	ObjectType string          `json:"object_type" doc:"the kind of object changed" example:"user"`
	ObjectID   string          `json:"object_id" doc:"the object changed" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Before     json.RawMessage `json:"before" doc:"the object before the change, as JSON; null when it was created" example:"{\"state\":\"active\"}"`
	After      json.RawMessage `json:"after" doc:"the object after the change, as JSON; null when it was deleted" example:"{\"state\":\"locked\"}"`
	RemoteAddr string          `json:"remote_addr" doc:"the address the request came from" example:"203.0.113.24"`
	PrevHash   string          `json:"prev_hash" doc:"the hash of the entry before, which this one seals (hex SHA-256)" example:"9f2c4e1a7b3d5f60182a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d"`
	Hash       string          `json:"hash" doc:"SHA-256 over prev_hash and every field of the entry, hex: editing or removing an entry breaks the chain (R-AUDIT-1)" example:"3b7e1f9a2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a3b5c7d9e1f3a5b7c9d1e3f"`
}

func auditOut(e *domain.AuditEntry) AuditEntry {
	return AuditEntry{Seq: e.Seq, At: e.At, ActorID: e.ActorID, ActorOrgID: e.ActorOrgID, OrgID: e.OrgID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Before: e.Before, After: e.After,
		RemoteAddr: e.RemoteAddr, PrevHash: e.PrevHash, Hash: e.Hash}
}

// Notice is one email of the outbox and local mailbox.
type Notice struct {
	ID        string     `json:"id" doc:"the notice's id" example:"ntc_01kmpdqqh0nvg032jenknexyk3"`
	Kind      string     `json:"kind" doc:"what the notice is about" example:"access_requested"`
	OrgID     string     `json:"org_id" doc:"the organisation the notice is about" example:"org_01kjyvahs0jdypew7da395kjeb"`
	ToUserID  string     `json:"to_user_id" doc:"the user it is addressed to" example:"usr_01kk2tbfx02cdjh3r9ahyb84pa"`
	ToEmail   string     `json:"to_email" doc:"the address it is sent to" example:"maria.lopez@harbour-dental.example"`
	Subject   string     `json:"subject" doc:"the email's subject" example:"Paul Becker requests access to site harbour-dental-prod"`
	Body      string     `json:"body" doc:"the email's text" example:"Paul Becker of Northwind Consulting asks for access to harbour-dental-prod as partner_agent. Approve or deny it: https://provisio.example/requests/req_01kmagmx50etbyabrhzpj7110h"`
	State     string     `json:"state" enum:"local,pending,sent,failed" doc:"local: kept in the local mailbox, no mail server being set up (R-NOTE-2); pending, sent or failed: on its way by email (R-NOTE-1)" example:"sent"`
	Attempts  int        `json:"attempts" doc:"how many times sending was tried" example:"1"`
	LastError string     `json:"last_error,omitempty" doc:"why the last attempt failed" example:"dial tcp 192.0.2.25:587: connection refused"`
	CreatedAt time.Time  `json:"created_at" doc:"when the notice was written, with the change that caused it (R-NOTE-1)" example:"2026-03-02T09:15:00Z"`
	SentAt    *time.Time `json:"sent_at,omitempty" doc:"when the mail server took it" example:"2026-03-02T09:15:04Z"`
}

func noticeOut(n *domain.Notice) Notice {
	return Notice{ID: n.ID, Kind: n.Kind, OrgID: n.OrgID, ToUserID: n.ToUserID, ToEmail: n.ToEmail, Subject: n.Subject,
		Body: n.Body, State: n.State, Attempts: n.Attempts, LastError: n.LastError, CreatedAt: n.CreatedAt,
		SentAt: timePtr(n.SentAt)}
}

// Token is a personal API token; Secret is present only when it is issued.
type Token struct {
	ID         string     `json:"id" doc:"the token's id" example:"tok_01kmefnv90j3mts1q0erxaa402"`
	Name       string     `json:"name" doc:"the token's label" example:"nightly user export"`
	Secret     string     `json:"token,omitempty" doc:"the token itself: shown once, send it as Authorization: Bearer" example:"pvt_7jVlz8SiWIKoB0MB45atkTtxYmuKeoswgxA90JgwQJA"`
	CreatedAt  time.Time  `json:"created_at" doc:"when the token was issued" example:"2026-03-02T09:15:00Z"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"when the token was last used; absent: never" example:"2026-03-04T02:00:12Z"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty" doc:"when the token was revoked; absent: it works" example:"2026-03-20T11:30:00Z"`
}

func tokenOut(t *domain.APIToken, secret string) Token {
	return Token{ID: t.ID, Name: t.Name, Secret: secret, CreatedAt: t.CreatedAt, LastUsedAt: timePtr(t.LastUsedAt),
		RevokedAt: timePtr(t.RevokedAt)}
}

// Warning is advice about an accepted change.
type Warning struct {
	Rule    string `json:"rule" doc:"the rule the change strains" example:"R-USER-3"`
	Message string `json:"message" doc:"the advice, in plain words" example:"R-USER-3: info@harbour-dental.example looks like a shared mailbox; every user should be a named person"`
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
	Items      []T    `json:"items" doc:"the page's items, in list order"`
	NextCursor string `json:"next_cursor,omitempty" doc:"pass as cursor to get the next page; absent on the last page"`
}

// TransformSchema gives next_cursor the example of what it holds: the key
// of the page's last item (its id; for the activity log its sequence
// number). One tag cannot say that for every kind of item.
func (Page[T]) TransformSchema(r huma.Registry, s *huma.Schema) *huma.Schema {
	items, cursor := s.Properties["items"], s.Properties["next_cursor"]
	if items == nil || items.Items == nil || cursor == nil {
		return s
	}
	item := items.Items
	if item.Ref != "" {
		item = r.SchemaFromRef(item.Ref)
	}
	if item == nil {
		return s
	}
	for _, key := range []string{"id", "seq", "customer_id", "domain"} {
		if p := item.Properties[key]; p != nil && len(p.Examples) > 0 {
			cursor.Examples = []any{fmt.Sprint(p.Examples[0])}
			break
		}
	}
	return s
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
	Cursor string `query:"cursor" doc:"next_cursor of the previous page" example:"usr_01kk6sce10dyx9g1ercvp1yra5"`
	Limit  int    `query:"limit" minimum:"0" maximum:"200" doc:"page size, 50 by default" example:"50"`
}

func (p PageParams) page() domain.Page { return domain.Page{Cursor: p.Cursor, Limit: p.Limit} }
