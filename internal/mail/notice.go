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

// Data is what a notice template may show.
type Data struct {
	Product       string    // product name from settings
	BaseURL       string    // portal URL from settings, no trailing slash
	RecipientName string    // whom the notice greets
	ActorName     string    // who caused the notice ("" for the system)
	UserName      string    // the user the notice is about
	UserEmail     string    // that user's email address
	OrgName       string    // the organisation concerned (partner name for partner access)
	SiteName      string    // the site concerned
	SiteID        string    // that site's id
	Role          string    // the role on the site
	Link          string    // the main action link (register, approve, extend, confirm, open site)
	DenyLink      string    // for access_requested: the deny link
	ExpiresAt     time.Time // when access / an invitation / a request ends (zero: never)
	Until         time.Time // suspension's expected end
	Reason        string    // suspension reason, denial reason
	Extension     bool      // access_requested: this is a request to extend existing access
	Zone          string    // the recipient's IANA time zone: dates are shown in it ("" for UTC)
	// Subject is set by Render, for the HTML body's title and heading;
	// a caller's value is ignored. The templates execute on Data itself
	// (no wrapper), so each field is found without a search through
	// embedded structs.
	Subject string
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
	set, ok := notices[kind]
	if !ok {
		return Message{}, fmt.Errorf("render notice: unknown kind %q", kind)
	}
	loc := zone(d.Zone) // the recipient's zone, UTC unless they chose one
	d.ExpiresAt, d.Until = inZone(d.ExpiresAt, loc), inZone(d.Until, loc)
	v := d
	v.Subject = ""
	v.Product = strings.TrimSpace(v.Product)
	if v.Product == "" {
		v.Product = defaultProduct
	}
	v.BaseURL = strings.TrimRight(strings.TrimSpace(v.BaseURL), "/")

	var b strings.Builder
	if err := set.text.ExecuteTemplate(&b, partSubject, v); err != nil {
		return Message{}, fmt.Errorf("render notice %s subject: %w", kind, err)
	}
	v.Subject = oneLine(b.String())

	b.Reset()
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
