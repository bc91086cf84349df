package mail

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/mail/mailtest"
)

// TestPermanent: only a 5xx reply is a permanent refusal; a 4xx reply
// and an unreachable server are worth another try.
func TestPermanent(t *testing.T) {
	env := Envelope{ID: "n-1", To: "a@example.com", Subject: "s", Text: "t"}
	send := func(t *testing.T, port int) error {
		t.Helper()
		s := mustNewSMTP(t, SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", From: "p@example.com", Timeout: 5 * time.Second})
		err := s.Send(context.Background(), env)
		if err == nil {
			t.Fatal("Send succeeded")
		}
		return err
	}
	sinkPort := func(code int) int {
		sink := mailtest.Start(t, "127.0.0.1:0")
		sink.RefuseRecipients(code, "no")
		_, p, _ := net.SplitHostPort(sink.Addr)
		port, _ := strconv.Atoi(p)
		return port
	}
	t.Run("550", func(t *testing.T) {
		if err := send(t, sinkPort(550)); !Permanent(err) {
			t.Fatalf("not permanent: %v", err)
		}
	})
	t.Run("451", func(t *testing.T) {
		if err := send(t, sinkPort(451)); Permanent(err) {
			t.Fatalf("permanent: %v", err)
		}
	})
	t.Run("ClosedPort", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if err := send(t, port); Permanent(err) {
			t.Fatalf("permanent: %v", err)
		}
	})
}
