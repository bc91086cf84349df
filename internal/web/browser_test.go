package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store/storetest"
)

const (
	chromium = "/usr/bin/chromium"
	password = "a long enough password"
)

// ui is a running server and a headless browser.
type ui struct {
	*people
	base  string
	ctx   context.Context
	shots string
	srv   *server.Server
}

func start(t *testing.T) *ui {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("Chromium is not installed at %s (.ci/run installs it)", chromium)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := server.Config{DatabaseURL: storetest.URL(t, storetest.SQLite), App: app.DefaultConfig()}
	cfg.App.BaseURL = base
	cfg.App.MFAFor = nil
	cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
	s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(sctx, ln) }()
	t.Cleanup(func() { stop(); <-done; s.Close() })

	actx, cancelA := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()))
	bctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })

	// Screenshots stay in the test's temporary folder, or where
	// PROVISIO_SCREENSHOTS says (to refresh docs/screenshots).
	shots := filepath.Join(t.TempDir(), "screenshots")
	if dir := os.Getenv("PROVISIO_SCREENSHOTS"); dir != "" {
		shots = dir
	}
	u := &ui{people: &people{t: t, app: s.App}, base: base, ctx: ctx, shots: shots, srv: s}
	_ = os.MkdirAll(u.shots, 0o755)
	t.Logf("screenshots in %s", u.shots)
	_, link, err := s.App.Bootstrap(ctx, "Vendor", "olivia@vendor.example", "Olivia Operator")
	if err != nil {
		t.Fatal(err)
	}
	u.register(link)
	u.op = u.actor("olivia@vendor.example")
	return u
}

var tokenRE = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]+)`)

func (u *ui) do(steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	if err := chromedp.Do(u.ctx, steps...); err != nil {
		u.t.Fatal(err)
	}
}

// text returns the text of the first element matching css.
func (u *ui) text(css string) string {
	u.t.Helper()
	s, err := chromedp.Run(u.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		u.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// flash waits for the page's message to say want.
func (u *ui) flash(want string) {
	u.t.Helper()
	u.waitText("p.flash", want)
}

// waitText polls until the element matching css contains want, and fails
// with the page's HTML when it does not within 15 s.
func (u *ui) waitText(css, want string) {
	u.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		if s, err := chromedp.Run(u.ctx, u.quick(chromedp.Text(chromedp.CSS(css), chromedp.AtLeast(0)))); err == nil {
			if last = s; strings.Contains(s, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	u.t.Fatalf("%s says %q, want %q; page:\n%s", css, last, want, u.page())
}

// quick bounds one browser action to a few seconds.
func (u *ui) quick(a chromedp.Action[string]) chromedp.Action[string] {
	return func(ctx context.Context, t *chromedp.Target) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return a(ctx, t)
	}
}

// page is the current page's HTML, shortened, for failure messages.
func (u *ui) page() string {
	html, _ := chromedp.Run(u.ctx, u.quick(chromedp.OuterHTML(chromedp.CSS("html"))))
	loc, _ := chromedp.Run(u.ctx, chromedp.Location())
	if len(html) > 4000 {
		html = html[:4000] + "…"
	}
	return loc + "\n" + html
}

func (u *ui) shot(name string) {
	u.t.Helper()
	png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(u.shots, name+".png"), png, 0o644); err != nil {
		u.t.Fatal(err)
	}
}

func (u *ui) signIn(email string) {
	u.t.Helper()
	u.do(chromedp.Navigate(u.base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), email),
		chromedp.SetValue(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("header.top")))
}

func (u *ui) signOut() {
	u.t.Helper()
	u.do(chromedp.Click(chromedp.CSS("header.top form button")), chromedp.WaitVisible(chromedp.CSS("#signin")))
}

func (u *ui) navigate(path string, ready string) {
	u.t.Helper()
	u.do(chromedp.Navigate(u.base + path))
	u.waitFor(ready)
}

// waitFor polls until an element matches css, failing with the page.
func (u *ui) waitFor(css string) {
	u.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := chromedp.Run(u.ctx, u.quick(chromedp.Text(chromedp.CSS(css)))); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	u.t.Fatalf("no %s; page:\n%s", css, u.page())
}
