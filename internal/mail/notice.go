// Package mail renders the portal's email notices and delivers them through
// a mail server.
//
// Every notice kind has three parts kept under templates/: a subject and a
// plain-text body (templates/<kind>.txt, text/template) and an HTML body
// (templates/<kind>.html, html/template). They are parsed once when the
// program starts; a kind with a missing part stops the program at start-up
// rather than at the first send.
package mail

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Data is what a notice template may show. A notice is kept as its Data
// in JSON (fields left empty are left out) and rendered when read.
type Data struct {
	Product       string    `json:",omitzero"` // product name from settings
	BaseURL       string    `json:",omitzero"` // portal URL from settings, no trailing slash
	RecipientName string    `json:",omitzero"` // whom the notice greets
	ActorName     string    `json:",omitzero"` // who caused the notice ("" for the system)
	UserName      string    `json:",omitzero"` // the user the notice is about
	UserEmail     string    `json:",omitzero"` // that user's email address
	OrgName       string    `json:",omitzero"` // the organisation concerned (partner name for partner access)
	SiteName      string    `json:",omitzero"` // the site concerned
	SiteID        string    `json:",omitzero"` // that site's id
	Role          string    `json:",omitzero"` // the role on the site
	Link          string    `json:",omitzero"` // the main action link (register, approve, extend, confirm, open site)
	DenyLink      string    `json:",omitzero"` // for access_requested: the deny link
	ExpiresAt     time.Time `json:",omitzero"` // when access / an invitation / a request ends (zero: never)
	Until         time.Time `json:",omitzero"` // suspension's expected end
	Reason        string    `json:",omitzero"` // suspension reason, denial reason
	Extension     bool      `json:",omitzero"` // access_requested: this is a request to extend existing access
	Zone          string    `json:",omitzero"` // the recipient's IANA time zone: dates are shown in it ("" for UTC)
	// Subject is set by Render, for the HTML body's title and heading;
	// a caller's value is ignored. The templates execute on Data itself
	// (no wrapper), so each field is found without a search through
	// embedded structs.
	Subject string `json:",omitzero"`
}

// Message is a rendered notice.
type Message struct{ Subject, Text, HTML string }

// defaultProduct names the product when the settings leave it empty, so a
// notice never reads "Welcome to ".
const defaultProduct = "Provisio"

// kinds is the single list of notice kinds; templates are loaded for exactly
// these names.
var kinds = []string{
	"invitation",
	"user_added_to_site",
	"email_change",
	"site_suspended",
	"site_cancelled",
	"site_restored",
	"site_resumed",
	"site_deleted",
	"access_requested",
	"access_approved",
	"access_granted",
	"access_denied",
	"access_expired",
	"access_revoked",
	"access_removed",
	"access_reminder",
	"request_expired",
	"partner_access_immediate",
	"accountant_assigned",
	"accountant_invited",
	"audit_reminder",
	"password_reset",
	"partner_link_requested",
	"partner_link_answered",
	"dormancy_warning",
	"site_provisioning_failed",
	"directory_account_ready",
	"review_overdue",
	"review_auto_removed",
	"review_removed",
	"invitation_to_pass",
}

// Kinds lists every notice kind there is a template for. The caller owns the
// returned slice.
func Kinds() []string { return slices.Clone(kinds) }

// Render renders the notice of the given kind. It fails for a kind not listed
// by Kinds and when a template cannot be executed with d.
//
// The subject is a single line. Empty Product defaults to "Provisio" and a
// trailing slash on BaseURL is dropped. Names and other values are escaped in
// the HTML body; the plain-text body shows them as given.
func Render(kind string, d Data) (Message, error) {
	set, v, err := prepare(kind, d)
	if err != nil {
		return Message{}, err
	}
	var b strings.Builder
	if err := set.text.ExecuteTemplate(&b, textLayout, v); err != nil {
		return Message{}, fmt.Errorf("render notice %s text: %w", kind, err)
	}
	text := tidyText(b.String())

	b.Reset()
	if err := set.html.ExecuteTemplate(&b, htmlLayout, v); err != nil {
		return Message{}, fmt.Errorf("render notice %s html: %w", kind, err)
	}
	return Message{Subject: v.Subject, Text: text, HTML: b.String()}, nil
}

// Subject is the subject line Render gives, rendered alone.
func Subject(kind string, d Data) (string, error) {
	_, v, err := prepare(kind, d)
	return v.Subject, err
}

// prepare finds the templates of kind and readies d for them: dates in
// the recipient's zone, settings tidied, the subject rendered.
func prepare(kind string, d Data) (noticeTemplates, Data, error) {
	set, ok := notices[kind]
	if !ok {
		return set, d, fmt.Errorf("render notice: unknown kind %q", kind)
	}
	loc := zone(d.Zone) // the recipient's zone, UTC unless they chose one
	d.ExpiresAt, d.Until = inZone(d.ExpiresAt, loc), inZone(d.Until, loc)
	d.Subject = ""
	d.Product = strings.TrimSpace(d.Product)
	if d.Product == "" {
		d.Product = defaultProduct
	}
	d.BaseURL = strings.TrimRight(strings.TrimSpace(d.BaseURL), "/")

	var b strings.Builder
	if err := set.text.ExecuteTemplate(&b, partSubject, d); err != nil {
		return set, d, fmt.Errorf("render notice %s subject: %w", kind, err)
	}
	d.Subject = oneLine(b.String())
	return set, d, nil
}

// oneLine collapses all whitespace, so a name with a line break cannot split
// the Subject header.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// tidyText lets templates use conditional lines freely: it drops trailing
// spaces, keeps at most one blank line in a row and ends with one newline.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true // also drops blank lines at the start
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}

// formatTime is the one way a notice shows a moment: in UTC, with the month
// spelt out so readers in any country read it the same way.
// formatTime shows a time in its own zone (the recipient's, from Render),
// with the zone's abbreviation.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2 January 2006 15:04 MST")
}

func inZone(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// zones keeps the time zones loaded, by name: loading one reads the zone
// database each time.
var zones sync.Map

// zone is the named time zone, UTC for "" or a name it does not know.
func zone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, z)
	return z
}
