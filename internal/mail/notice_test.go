package mail

import (
	"html"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleData fills every field, with names that need escaping in HTML and
// times outside UTC, so each template shows what it promises.
func sampleData() Data {
	cet := time.FixedZone("CET", 3600)
	return Data{
		Product:       "Provisio Test",
		BaseURL:       "https://portal.example.com/",
		RecipientName: "<b>Eve</b>",
		ActorName:     "Alice Admin",
		UserName:      "Sam <Support>",
		UserEmail:     "sam@partner.example",
		OrgName:       "Partner & Co",
		SiteName:      "Acme Production",
		SiteID:        "site-7",
		Role:          "Operations Agent",
		Link:          "https://portal.example.com/a/approve?t=tok123",
		DenyLink:      "https://portal.example.com/a/deny?t=tok456",
		ExpiresAt:     time.Date(2026, 3, 2, 15, 30, 0, 0, cet),
		Until:         time.Date(2026, 4, 1, 9, 0, 0, 0, cet),
		Reason:        "Unpaid invoice",
	}
}

const (
	sampleExpires = "2 March 2026 14:30 UTC"
	sampleUntil   = "1 April 2026 08:00 UTC"
)

func TestRender_EveryKind(t *testing.T) {
	d := sampleData()
	// What each kind must show, in both bodies.
	want := map[string][]string{
		"invitation":               {d.ActorName, d.OrgName, d.Link, sampleExpires},
		"user_added_to_site":       {d.ActorName, d.UserName, d.UserEmail, d.SiteName, d.Role, d.Link},
		"email_change":             {d.ActorName, d.UserEmail, d.Link, sampleExpires},
		"site_suspended":           {d.ActorName, d.SiteName, d.Reason, sampleUntil},
		"site_cancelled":           {d.ActorName, d.SiteName, d.Reason, sampleExpires},
		"site_restored":            {d.ActorName, d.SiteName, d.Link},
		"site_resumed":             {d.ActorName, d.SiteName, d.Link},
		"site_deleted":             {d.ActorName, d.SiteName},
		"access_requested":         {d.ActorName, d.UserName, d.OrgName, d.SiteName, d.Link, d.DenyLink, sampleExpires},
		"access_approved":          {d.ActorName, d.UserName, d.OrgName, d.SiteName, sampleExpires},
		"access_granted":           {d.ActorName, d.SiteName, d.Link, sampleExpires},
		"access_denied":            {d.ActorName, d.SiteName, d.Reason},
		"access_expired":           {d.UserName, d.OrgName, d.SiteName, sampleExpires},
		"access_revoked":           {d.ActorName, d.SiteName},
		"access_removed":           {d.ActorName, d.UserName, d.OrgName, d.SiteName},
		"access_reminder":          {d.SiteName, d.Link, sampleExpires},
		"request_expired":          {d.SiteName, sampleExpires},
		"partner_access_immediate": {d.ActorName, d.UserName, d.OrgName, d.SiteName, d.Link},
		"accountant_assigned":      {d.ActorName, d.OrgName, d.SiteName, d.Link},
		"accountant_invited":       {d.ActorName, d.OrgName, d.SiteName, d.Link, sampleExpires},
		"audit_reminder":           {d.OrgName, d.Link, sampleExpires},
		"password_reset":           {d.UserEmail, d.Link, sampleExpires},
		"partner_link_requested":   {d.ActorName, d.OrgName, d.Link},
		"partner_link_answered":    {d.ActorName, d.OrgName, d.Reason},
		"dormancy_warning":         {d.OrgName, d.Link, sampleExpires},
		"site_provisioning_failed": {d.SiteName, d.OrgName, d.Reason, d.Link},
		"directory_account_ready":  {d.SiteName, d.UserEmail, d.Link},
		"review_overdue":           {d.OrgName, d.Reason, d.Link},
		"review_auto_removed":      {d.OrgName, d.Reason, d.Link},
		"review_removed":           {d.OrgName, d.Reason},
		"invitation_to_pass":       {d.UserName, d.UserEmail, d.Link, sampleExpires},
	}
	for _, kind := range Kinds() {
		if _, ok := want[kind]; !ok {
			t.Errorf("kind %s has no expectations in this test", kind)
		}
	}
	if len(want) != len(Kinds()) {
		t.Errorf("test covers %d kinds, Kinds() lists %d", len(want), len(Kinds()))
	}

	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			m := mustRender(t, kind, d)
			if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
				t.Errorf("subject %q: want one non-empty line", m.Subject)
			}
			for _, w := range want[kind] {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
				if !strings.Contains(m.HTML, html.EscapeString(w)) {
					t.Errorf("html lacks %q:\n%s", html.EscapeString(w), m.HTML)
				}
			}
			// Plain text shows the name as given; HTML must escape it.
			if !strings.Contains(m.Text, "Hello <b>Eve</b>,") {
				t.Errorf("text lacks the greeting:\n%s", m.Text)
			}
			if strings.Contains(m.HTML, "<b>Eve</b>") || !strings.Contains(m.HTML, "&lt;b&gt;Eve&lt;/b&gt;") {
				t.Errorf("html does not escape the recipient's name:\n%s", m.HTML)
			}
			if strings.Contains(m.HTML, "<Support>") {
				t.Errorf("html does not escape the user's name")
			}
			for _, w := range []string{`<html lang="en">`, "<title>", "<h1", "Provisio Test", "https://portal.example.com)"} {
				if !strings.Contains(m.HTML+m.Text, w) {
					t.Errorf("message lacks %q", w)
				}
			}
			if slices.Contains(want[kind], d.Link) && !strings.Contains(m.HTML, `<a href="`+d.Link+`"`) {
				t.Errorf("html lacks a real link to %s", d.Link)
			}
			if strings.Contains(m.Text, "\n\n\n") || strings.HasPrefix(m.Text, "\n") {
				t.Errorf("text has stray blank lines:\n%q", m.Text)
			}
		})
	}
}

func TestRender_UnknownKind(t *testing.T) {
	if _, err := Render("no_such_notice", sampleData()); err == nil || !strings.Contains(err.Error(), "no_such_notice") {
		t.Fatalf("Render(unknown) error = %v, want one naming the kind", err)
	}
}

func TestRender_AccessRequested(t *testing.T) {
	t.Run("New", func(t *testing.T) {
		m := mustRender(t, "access_requested", sampleData())
		if strings.Contains(m.Subject+m.Text, "extend") {
			t.Errorf("a new request reads as an extension:\n%s\n%s", m.Subject, m.Text)
		}
	})
	t.Run("Extension", func(t *testing.T) {
		d := sampleData()
		d.Extension = true
		m := mustRender(t, "access_requested", d)
		for _, part := range []string{m.Subject, m.Text, m.HTML} {
			if !strings.Contains(part, "extend") {
				t.Errorf("an extension does not say so:\n%s", part)
			}
		}
	})
}

func TestRender_AccessGrantedWithoutExpiry(t *testing.T) {
	d := sampleData()
	d.ExpiresAt = time.Time{}
	m := mustRender(t, "access_granted", d)
	for _, part := range []string{m.Text, m.HTML} {
		if !strings.Contains(part, "does not expire") {
			t.Errorf("access without end does not say so:\n%s", part)
		}
	}
}

func TestRender_Defaults(t *testing.T) {
	m := mustRender(t, "site_deleted", Data{SiteName: "Acme", BaseURL: "https://p.example/"})
	if !strings.Contains(m.Text, "sent automatically by Provisio (https://p.example).") {
		t.Errorf("want default product and trimmed base URL:\n%s", m.Text)
	}
	if !strings.Contains(m.Text, "Hello,") {
		t.Errorf("want a greeting without a name:\n%s", m.Text)
	}
}

func TestRender_SubjectIsOneLine(t *testing.T) {
	d := sampleData()
	d.UserName = "Sam\r\nBcc: victim@example.com"
	m := mustRender(t, "user_added_to_site", d)
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Fatalf("subject has a line break: %q", m.Subject)
	}
}

func TestTemplates_NoStrayFiles(t *testing.T) {
	names, err := fs.Glob(templateFiles, "templates/*")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"templates/layout.txt": true, "templates/layout.html": true}
	for _, k := range Kinds() {
		known["templates/"+k+".txt"] = true
		known["templates/"+k+".html"] = true
	}
	for _, n := range names {
		if !known[n] {
			t.Errorf("%s belongs to no notice kind", n)
		}
	}
	if len(names) != len(known) {
		t.Errorf("found %d template files, want %d", len(names), len(known))
	}
}

func mustRender(tb testing.TB, kind string, d Data) Message {
	tb.Helper()
	m, err := Render(kind, d)
	if err != nil {
		tb.Fatalf("Render(%s): %v", kind, err)
	}
	return m
}

// TestRender_RecipientsZone: dates in a notice are in the recipient's time
// zone, named (issue 14).
func TestRender_RecipientsZone(t *testing.T) {
	d := sampleData()
	d.Zone = "America/New_York"
	m := mustRender(t, "invitation", d)
	if !strings.Contains(m.Text, "2 March 2026 09:30 EST") {
		t.Fatalf("not in the recipient's zone:\n%s", m.Text)
	}
}
