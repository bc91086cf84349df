package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestTimeZone: a person chooses a time zone on the account page; the
// pages then show dates in it, named, and so do the notices sent to them;
// an unknown zone is refused in words (issue 14).
func TestTimeZone(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		p := startPlain(t, d)
		carol, _, _ := p.partnerRequest()
		if _, page := read(t)(carol.Get(p.base + "/notifications")); !strings.Contains(page, " UTC<") {
			t.Fatal("dates do not name their zone")
		}
		if st, page := read(t)(carol.PostForm(p.base+"/account/time-zone", url.Values{"time_zone": {"Mars/Olympus"}})); st != http.StatusOK ||
			!strings.Contains(page, "Europe/Paris") || !strings.Contains(page, "give a time zone by its name") {
			t.Fatalf("an unknown zone: %d", st)
		}
		_, saved := read(t)(carol.PostForm(p.base+"/account/time-zone", url.Values{"time_zone": {"America/New_York"}}))
		if !strings.Contains(saved, "Dates are now shown in your time zone") {
			i := strings.Index(saved, "flash")
			t.Fatalf("saving the zone: %s", saved[i:min(len(saved), i+300)])
		}
		if _, page := read(t)(carol.Get(p.base + "/notifications")); !strings.Contains(page, " EST<") {
			i := strings.Index(page, "<article")
			t.Fatalf("the pages do not use the chosen zone: %s", page[i:i+300])
		}
		// A notice sent to her now shows its dates in her zone too.
		org := p.userOrg("carol@acme.example")
		site, err := p.app.CreateSite(context.Background(), p.op, app.NewSite{CustomerID: org, Name: "acme-test", Edition: domain.EditionStandard})
		if err != nil {
			t.Fatal(err)
		}
		paula := p.userID("paula@northwind.example")
		if _, err := p.app.RequestAccess(context.Background(), p.actor("paula@northwind.example"), site.ID, paula, ""); err != nil {
			t.Fatal(err)
		}
		if body := p.lastMail("carol@acme.example", domain.NoticeAccessRequested); !strings.Contains(body, " EST") {
			t.Fatalf("the notice is not in her zone:\n%s", body)
		}
	})
}

// TestTimeZone_BrowserDefault: until a person chooses a zone, dates show
// in the zone their browser reports (the tz cookie static/zone.js sets);
// a zone that is not in the database shows UTC, and a chosen zone wins
// (issue 14).
func TestTimeZone_BrowserDefault(t *testing.T) {
	p := startPlain(t, storetest.SQLite)
	carol, _, _ := p.partnerRequest()
	base, err := url.Parse(p.base)
	if err != nil {
		t.Fatal(err)
	}
	zoneIs := func(zone, want string) {
		t.Helper()
		carol.Jar.SetCookies(base, []*http.Cookie{{Name: "tz", Value: url.QueryEscape(zone), Path: "/"}})
		if _, page := read(t)(carol.Get(p.base + "/notifications")); !strings.Contains(page, " "+want+"<") {
			i := strings.Index(page, "<article")
			t.Fatalf("browser zone %q: want dates in %s: %s", zone, want, page[i:min(len(page), i+300)])
		}
	}
	zoneIs("Asia/Tokyo", "JST")
	zoneIs("../../etc/passwd", "UTC")
	zoneIs("Mars/Olympus", "UTC")
	read(t)(carol.PostForm(p.base+"/account/time-zone", url.Values{"time_zone": {"America/New_York"}}))
	zoneIs("Asia/Tokyo", "EST")
}
