package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/provisio/provisio/internal/domain"
)

// TestPhoneWidthWithoutJavaScript: at a phone's width and with scripts
// switched off, a customer administrator signs in and invites a user with
// plain forms, and no page scrolls sideways.
func TestPhoneWidthWithoutJavaScript(t *testing.T) {
	u := start(t)
	c := u.cast()
	u.do(chromedp.EmulateViewport(390, 844), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	paula := u.actor("paula@northwind.example")
	if _, err := u.app.RequestAccess(u.ctx, paula, c.site.ID, paula.User.ID, ""); err != nil {
		t.Fatal(err)
	}
	u.signIn("carol@acme.example")
	for _, path := range []string{"/", "/users", "/sites/" + c.site.ID, "/requests", "/audit", "/account"} {
		u.navigate(path, "main h1")
		wide, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth + 1"))
		if err != nil || wide {
			t.Fatalf("%s scrolls sideways at phone width (%v)", path, err)
		}
	}
	u.shot("site-phone")
	// The waiting request's Approve and Deny are on screen, not past its
	// right edge (issue 14).
	u.navigate("/requests?state=pending", "main h1")
	onScreen, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('main button, main a.button')]
		.filter(e => /^(Approve|Deny)$/.test(e.textContent.trim()))
		.map(e => e.textContent.trim() + (e.getBoundingClientRect().right <= window.innerWidth && e.getBoundingClientRect().width > 0 ? ':in' : ':out')).join(' ')`))
	if err != nil || onScreen != "Approve:in Deny:in" {
		t.Fatalf("Approve and Deny at phone width: %q (%v)", onScreen, err)
	}
	u.shot("requests-phone")
	u.navigate("/users", "#inv-name")
	u.do(chromedp.SetValue(chromedp.CSS("#inv-name"), "Vera Plain"),
		chromedp.SetValue(chromedp.CSS("#inv-email"), "vera@acme.example"),
		chromedp.Click(chromedp.CSS(`input[name=role][value=customer_user]`)),
		chromedp.Click(chromedp.CSS(`form[method=post][action="/users"] button[type=submit]`)))
	u.flash("Invited vera@acme.example")
	if n := u.mails("vera@acme.example", domain.NoticeInvitation); len(n) != 1 {
		t.Fatalf("invitation without JavaScript: %d", len(n))
	}
}
