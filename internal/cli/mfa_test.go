package cli_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/cli"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestLoginWithMFA: an operator (MFA required by default) enrols through
// `provisio mfa enrol`, then `provisio login` asks for the code. R-PLUS-3
func TestLoginWithMFA(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		dbURL := storetest.URL(t, d)
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		base := "http://" + ln.Addr().String()
		cfg := server.Config{DatabaseURL: dbURL, App: app.DefaultConfig()}
		cfg.App.BaseURL = base
		cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
		s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Serve(ctx, ln) }()
		defer func() { cancel(); <-done; s.Close() }()
		_, link, err := s.App.Bootstrap(ctx, "Vendor", "olivia@vendor.example", "Olivia Operator")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.App.AcceptInvitation(ctx, "", link[strings.LastIndex(link, "/")+1:], password); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PROVISIO_CONFIG", filepath.Join(t.TempDir(), "olivia.json"))
		run := func(stdin io.Reader, stdout io.Writer, args ...string) int {
			return cli.Main(context.Background(), append([]string{"provisio", "--server", base}, args...), stdin, stdout, io.Discard)
		}
		// Without a second factor, login refuses and says what to do.
		var out strings.Builder
		if code := run(strings.NewReader(password+"\n"), &out, "login", "--email", "olivia@vendor.example"); code == 0 {
			t.Fatal("login without MFA enrolment must fail")
		}
		// Enrol: answer the password, read the secret, answer a code.
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		result := make(chan int, 1)
		go func() { result <- run(inR, outW, "mfa", "enrol", "--email", "olivia@vendor.example"); outW.Close() }()
		_, _ = io.WriteString(inW, password+"\n")
		sc := bufio.NewScanner(outR)
		var secret, all string
		for sc.Scan() {
			all += sc.Text() + "\n"
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "secret: "); ok {
				secret = v
				c, _ := totp.GenerateCode(secret, time.Now())
				_, _ = io.WriteString(inW, c+"\n")
			}
		}
		if code := <-result; code != 0 || secret == "" || !strings.Contains(all, "recovery codes") {
			t.Fatalf("enrol exit %d:\n%s", code, all)
		}
		// Login now asks for the code on the next line of input. The
		// enrolment spent this time step's code, so use the next step's
		// (accepted within the ±1 step window).
		next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		out.Reset()
		if code := run(strings.NewReader(password+"\n"+next+"\n"), &out, "login", "--email", "olivia@vendor.example"); code != 0 {
			t.Fatalf("login with code: exit %d %s", code, out.String())
		}
		out.Reset()
		if code := run(nil, &out, "whoami"); code != 0 || !strings.Contains(out.String(), "olivia@vendor.example") {
			t.Fatalf("whoami: %s", out.String())
		}
	})
}
