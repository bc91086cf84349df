package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// TestBrowser_MFAEnrolment: in a real browser the enrolment's QR code
// loads; a wrong first code is refused in words and keeps the same
// secret; the right one enrols and shows the recovery codes (issue 14).
// R-PLUS-3
func TestBrowser_MFAEnrolment(t *testing.T) {
	u := start(t)
	u.cast()
	u.signIn("carol@acme.example")
	u.navigate("/account", "#mfa")
	u.do(chromedp.Click(chromedp.CSS(`form[action="/account/mfa-start"] button`)))
	u.waitFor("#mfa-code")
	width := 0
	for deadline := time.Now().Add(10 * time.Second); width == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		width, _ = chromedp.Run(u.ctx, chromedp.Evaluate[int](`document.querySelector('#mfa img').naturalWidth`))
	}
	if width == 0 {
		t.Fatalf("the QR code did not load:\n%s", u.page())
	}
	u.shot("mfa-enrol")
	secret := u.text("#mfa code")
	right, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	u.do(chromedp.SetValue(chromedp.CSS("#mfa-code"), wrong), chromedp.Click(chromedp.CSS(`form[action="/account/mfa-confirm"] button`)))
	u.waitText("#mfa .field-error", "does not match")
	if again := u.text("#mfa code"); again != secret {
		t.Fatalf("a wrong first code changed the secret: %q, then %q", secret, again)
	}
	right, _ = totp.GenerateCode(secret, time.Now())
	u.do(chromedp.SetValue(chromedp.CSS("#mfa-code"), right), chromedp.Click(chromedp.CSS(`form[action="/account/mfa-confirm"] button`)))
	u.waitText("#mfa p.flash", "Authenticator enrolled")
	if codes := u.text("#mfa pre"); len(strings.Fields(codes)) < 5 {
		t.Fatalf("recovery codes: %q", codes)
	}
}

// TestBrowser_TimeZoneFromBrowser: a person who has not chosen a time
// zone reads dates in their browser's (issue 14).
func TestBrowser_TimeZoneFromBrowser(t *testing.T) {
	u := start(t)
	u.cast()
	u.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"})
		return err
	}))
	u.signIn("carol@acme.example")
	u.navigate("/account", "#tz")
	if ph, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](`document.getElementById("tz").placeholder`)); err != nil || !strings.Contains(ph, "Asia/Tokyo") {
		t.Fatalf("the zone field does not offer the browser's zone: %q (%v)", ph, err)
	}
	u.waitText("#sessions", " JST")
}
