package server_test

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/jobs"
	"github.com/provisio/provisio/internal/mail"
	"github.com/provisio/provisio/internal/mail/mailtest"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestDelivery_SMTPRefusal: a mail server's permanent refusal (a 5xx
// reply) fails the notice at once, with the reply kept as its error; a
// temporary one (4xx) leaves it pending and it is tried again. R-NOTE-1
func TestDelivery_SMTPRefusal(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		for _, tc := range []struct {
			name     string
			code     int
			state    string
			attempts func(int) bool
		}{
			{"Permanent550", 550, domain.NoticeFailed, func(n int) bool { return n == 1 }},
			{"Temporary451", 451, domain.NoticePending, func(n int) bool { return n >= 2 }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				sink := mailtest.Start(t, "127.0.0.1:0")
				sink.RefuseRecipients(tc.code, "mailbox says no")
				host, portText, _ := net.SplitHostPort(sink.Addr)
				port, _ := strconv.Atoi(portText)
				cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig(),
					SMTP: mail.SMTPConfig{Host: host, Port: port, TLS: "none", From: "Provisio <noreply@provisio.example>"},
					Jobs: jobs.Config{SweepEvery: time.Hour, MaxAttempts: 5}}
				s := open(t, cfg)
				ctx := serve(t, s)
				if _, _, err := s.App.Bootstrap(ctx, "Vendor", "olivia@vendor.example", "Olivia Operator"); err != nil {
					t.Fatal(err)
				}
				var state, lastError string
				var attempts int
				deadline := time.Now().Add(15 * time.Second)
				for time.Now().Before(deadline) {
					err := s.DB.SQL().QueryRow(`SELECT state, attempts, last_error FROM notices WHERE to_email = 'olivia@vendor.example'`).
						Scan(&state, &attempts, &lastError)
					if err != nil {
						t.Fatal(err)
					}
					if state == tc.state && tc.attempts(attempts) {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				if state != tc.state || !tc.attempts(attempts) || !strings.Contains(lastError, strconv.Itoa(tc.code)) {
					t.Fatalf("notice %s after %d attempts, last error %q", state, attempts, lastError)
				}
				if n := len(sink.Messages()); n != 0 {
					t.Fatalf("%d messages delivered through a refusing server", n)
				}
			})
		}
	})
}
