package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/provisio/provisio/internal/domain"
)

// TestBrowser_NamesNotIDs: in a real browser, the text a person reads on
// the dashboard, organisations, sites, site, users, requests and activity
// pages holds no raw ids, for each role (issue 14).
func TestBrowser_NamesNotIDs(t *testing.T) {
	u := start(t)
	d := u.demo()
	for _, who := range []string{"olivia@vendor.example", "carol.whitaker@harbourdental.example",
		"paula.jensen@northwind.example", "pedro.alvarez@northwind.example", "uma.patel@harbourdental.example"} {
		u.signIn(who)
		for _, path := range []string{"/", "/orgs", "/sites", "/sites/" + d.site.ID, "/users", "/requests", "/audit"} {
			u.do(chromedp.Navigate(u.base + path))
			u.waitFor("main h1")
			text, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](`document.body.innerText`))
			if err != nil {
				t.Fatal(err)
			}
			if id := visibleID.FindString(text); id != "" {
				t.Errorf("%s reads the id %s on %s", who, id, path)
			}
		}
		u.signOut()
	}
}

// TestBrowser_ActivityPaging: in a real browser the activity log shows
// the newest entry first and pages, by its Older link, to the oldest of
// more than 250 entries, in order (issue 14). R-AUDIT-1
func TestBrowser_ActivityPaging(t *testing.T) {
	u := start(t)
	c := u.cast()
	for i := range 250 {
		name := fmt.Sprintf("Acme %03d", i)
		if _, err := u.app.UpdateOrg(u.ctx, c.carol, c.customer.ID, domain.OrgUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	u.signIn("olivia@vendor.example")
	u.navigate("/audit", "#activity")
	var seqs []int
	for pages := 0; ; pages++ {
		got, err := chromedp.Run(u.ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll('#activity > tbody > tr[data-seq]')].map(r => +r.dataset.seq)`))
		if err != nil || len(got) == 0 {
			t.Fatalf("page %d: %v %v", pages, got, err)
		}
		if pages == 0 {
			if first := u.text("#activity > tbody > tr"); !strings.Contains(first, "signed in") && !strings.Contains(first, "session") {
				t.Fatalf("the newest entry is not first: %q", first)
			}
		}
		seqs = append(seqs, got...)
		more, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`!!document.querySelector('a[rel=next]')`))
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
		u.do(chromedp.Click(chromedp.CSS(`a[rel=next]`)))
		u.waitFor(fmt.Sprintf(`#activity > tbody > tr[data-seq="%d"]`, got[len(got)-1]-1))
	}
	if len(seqs) < 250 || seqs[len(seqs)-1] != 1 {
		t.Fatalf("paged %d entries, the last %d; want more than 250 down to the first", len(seqs), seqs[len(seqs)-1])
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]-1 {
			t.Fatalf("not newest first without gaps at %d: %d after %d", i, seqs[i], seqs[i-1])
		}
	}
}
