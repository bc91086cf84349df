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
	u.signIn("carol@acme.example")
	for _, path := range []string{"/", "/users", "/sites/" + c.site.ID, "/requests", "/audit", "/account"} {
		u.navigate(path, "main h1")
		wide, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth + 1"))
		if err != nil || wide {
			t.Fatalf("%s scrolls sideways at phone width (%v)", path, err)
		}
	}
	u.shot("site-phone")
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
