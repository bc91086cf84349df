package web_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/provisio/provisio/internal/domain"
)

// TestJourney_Review: an operator opens a review campaign; a customer
// administrator opens the emailed link, confirms two users, removes one
// and confirms the rest, and the review shows as complete; the partner's
// review, left undone past its due date, shows the operator as overdue,
// and the operator removes a user from it (R-AUDIT-3).
func TestJourney_Review(t *testing.T) {
	u := start(t)
	c := u.cast()
	carol := c.carol
	uma := u.person(carol, c.customer.ID, "uma@acme.example", domain.RoleCustomerUser)
	sam := u.person(u.op, c.partner.ID, "sam@northwind.example", domain.RolePartnerAgent)

	u.signIn("olivia@vendor.example")
	u.navigate("/reviews", "#campaign")
	u.do(chromedp.SetValue(chromedp.CSS("#campaign-name"), "Spring review"),
		chromedp.Click(chromedp.CSS("#campaign button[type=submit]")))
	u.flash("Opened Spring review")
	u.signOut()

	// Carol follows the link in her email.
	link := regexp.MustCompile(`http://\S+/reviews/\S+`).FindString(u.lastMail("carol@acme.example", domain.NoticeReviewRequested))
	if link == "" {
		t.Fatal("no review link in carol's email")
	}
	u.signIn("carol@acme.example")
	u.do(chromedp.Navigate(link))
	u.waitFor("#decide-form")
	u.shot("review")
	pick := func(ids ...string) {
		u.waitFor("#decide-form")
		for _, id := range ids {
			u.do(chromedp.Click(chromedp.CSS(`input[name=user][value="` + id + `"]`)))
		}
	}
	dan, oscar := u.userID("dan@acme.example"), u.userID("oscar@acme.example")
	pick(dan, oscar)
	u.do(chromedp.SetValue(chromedp.CSS("#decision"), "confirm"), chromedp.Click(chromedp.CSS("#decide-form button.primary")))
	u.flash("Saved.")
	u.do(chromedp.Navigate(link))
	pick(uma.ID)
	u.do(chromedp.SetValue(chromedp.CSS("#decision"), "lock"), chromedp.SetValue(chromedp.CSS("#comment"), "left the company"),
		chromedp.Click(chromedp.CSS("#decide-form button.primary")))
	u.flash("Saved.")
	u.do(chromedp.Navigate(link))
	u.waitFor("#decide-form")
	u.do(chromedp.Click(chromedp.CSS(`input[name=confirm_rest] + button`)))
	u.flash("The review is complete")
	u.waitText("h1 + p .badge", "completed")
	if usr, err := u.app.User(context.Background(), u.op, uma.ID); err != nil || usr.State != domain.UserLocked {
		t.Fatalf("uma after the review: %v %v", usr, err)
	}
	u.signOut()

	// The partner did nothing; its due date passes.
	if _, err := u.srv.DB.SQL().Exec(`UPDATE reviews SET due_at = 1 WHERE org_id = $1`, c.partner.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := u.app.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	u.signIn("olivia@vendor.example")
	u.navigate("/reviews?state=escalated", "table")
	u.waitText("table", "Northwind Partners")
	u.waitText("table", "overdue")
	u.do(chromedp.Click(chromedp.CSS(`table a[href^="/reviews/"]`)))
	u.waitFor("#decide-form")
	u.waitText("p.flash.error", "overdue")
	pick(sam.ID)
	u.do(chromedp.SetValue(chromedp.CSS("#decision"), "lock"), chromedp.SetValue(chromedp.CSS("#comment"), "no longer with the partner"),
		chromedp.Click(chromedp.CSS("#decide-form button.primary")))
	u.flash("Saved.")
	u.shot("review-overdue")
	if usr, err := u.app.User(context.Background(), u.op, sam.ID); err != nil || usr.State != domain.UserLocked {
		t.Fatalf("sam after the operator's removal: %v %v", usr, err)
	}
}
