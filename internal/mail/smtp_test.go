package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

func TestSMTP_Send(t *testing.T) {
	m := mustRender(t, "access_requested", sampleData())
	env := Envelope{ID: "n-42", To: "Anna Admin <anna@customer.example>", Subject: m.Subject, Text: m.Text, HTML: m.HTML}

	t.Run("Plain", func(t *testing.T) {
		sink := startSink(t, "", "")
		s := mustNewSMTP(t, sink.config(SMTPConfig{TLS: "none"}))
		if err := s.Send(context.Background(), env); err != nil {
			t.Fatalf("Send: %v", err)
		}
		checkDelivery(t, sink.only(t), env, "")
	})
	t.Run("Auth", func(t *testing.T) {
		sink := startSink(t, "mailer", "s3cret")
		s := mustNewSMTP(t, sink.config(SMTPConfig{TLS: "none", Username: "mailer", Password: "s3cret"}))
		if err := s.Send(context.Background(), env); err != nil {
			t.Fatalf("Send: %v", err)
		}
		checkDelivery(t, sink.only(t), env, "mailer")
	})
	t.Run("ErrAuthFailed", func(t *testing.T) {
		sink := startSink(t, "mailer", "s3cret")
		s := mustNewSMTP(t, sink.config(SMTPConfig{TLS: "none", Username: "mailer", Password: "wrong"}))
		if err := s.Send(context.Background(), env); err == nil {
			t.Fatal("Send with a wrong password succeeded")
		}
		sink.none(t)
	})
	t.Run("ErrNoSTARTTLS", func(t *testing.T) {
		// The default mode must refuse a server that cannot encrypt.
		sink := startSink(t, "", "")
		s := mustNewSMTP(t, sink.config(SMTPConfig{}))
		if err := s.Send(context.Background(), env); err == nil {
			t.Fatal("Send with mandatory STARTTLS to a plain server succeeded")
		}
		sink.none(t)
	})
	t.Run("ErrBadEnvelope", func(t *testing.T) {
		sink := startSink(t, "", "")
		s := mustNewSMTP(t, sink.config(SMTPConfig{TLS: "none"}))
		for name, bad := range map[string]Envelope{
			"NoID":        {To: env.To, Subject: "s", Text: "t"},
			"IDWithBreak": {ID: "n-1\r\nBcc: x@example.com", To: env.To, Subject: "s", Text: "t"},
			"BadTo":       {ID: "n-1", To: "not an address", Subject: "s", Text: "t"},
			"NoSubject":   {ID: "n-1", To: env.To, Text: "t"},
			"NoBody":      {ID: "n-1", To: env.To, Subject: "s"},
		} {
			if err := s.Send(context.Background(), bad); err == nil {
				t.Errorf("%s: Send succeeded", name)
			}
		}
		sink.none(t)
	})
}

func TestSMTP_SendToClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	s := mustNewSMTP(t, SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", From: "p@example.com", Timeout: 5 * time.Second})
	err = s.Send(context.Background(), Envelope{ID: "n-1", To: "a@example.com", Subject: "s", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "n-1") {
		t.Fatalf("Send to a closed port: error = %v, want one naming the notice", err)
	}
}

func TestSMTP_SendCancelled(t *testing.T) {
	sink := startSink(t, "", "")
	s := mustNewSMTP(t, sink.config(SMTPConfig{TLS: "none"}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Send(ctx, Envelope{ID: "n-1", To: "a@example.com", Subject: "s", Text: "t"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with a cancelled context: error = %v, want context.Canceled", err)
	}
}

func TestNewSMTP(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  SMTPConfig
		want string // in the error
	}{
		"ErrNoHost":        {SMTPConfig{From: "p@example.com"}, "host is required"},
		"ErrBlankHost":     {SMTPConfig{Host: "  ", From: "p@example.com"}, "host is required"},
		"ErrNoFrom":        {SMTPConfig{Host: "mx.example"}, "from is required"},
		"ErrBadFrom":       {SMTPConfig{Host: "mx.example", From: "Provisio noreply"}, "not an email address"},
		"ErrBadTLS":        {SMTPConfig{Host: "mx.example", From: "p@example.com", TLS: "ssl"}, `tls "ssl"`},
		"ErrBadPort":       {SMTPConfig{Host: "mx.example", From: "p@example.com", Port: 70000}, "port 70000"},
		"ErrBadTimeout":    {SMTPConfig{Host: "mx.example", From: "p@example.com", Timeout: -time.Second}, "timeout"},
		"ErrPasswordAlone": {SMTPConfig{Host: "mx.example", From: "p@example.com", Password: "x"}, "username"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewSMTP(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewSMTP error = %v, want one containing %q", err, tc.want)
			}
		})
	}

	t.Run("Defaults", func(t *testing.T) {
		s := mustNewSMTP(t, SMTPConfig{Host: "mx.example", From: "Provisio <noreply@example.com>"})
		if s.cfg.Port != 587 || s.cfg.TLS != "starttls" || s.cfg.Timeout != 30*time.Second {
			t.Errorf("defaults = port %d, tls %q, timeout %s", s.cfg.Port, s.cfg.TLS, s.cfg.Timeout)
		}
		s = mustNewSMTP(t, SMTPConfig{Host: "mx.example", From: "noreply@example.com", TLS: "TLS"})
		if s.cfg.Port != 465 {
			t.Errorf("implicit TLS port = %d, want 465", s.cfg.Port)
		}
	})
}

// checkDelivery checks what the sink received against env.
func checkDelivery(t *testing.T, got delivery, env Envelope, user string) {
	t.Helper()
	if got.From != "noreply@example.com" {
		t.Errorf("MAIL FROM = %q", got.From)
	}
	if len(got.To) != 1 || got.To[0] != "anna@customer.example" {
		t.Errorf("RCPT TO = %q", got.To)
	}
	if got.User != user {
		t.Errorf("authenticated as %q, want %q", got.User, user)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, got.Data)
	}
	if id := msg.Header.Get("Message-ID"); id != "<"+env.ID+"@provisio>" {
		t.Errorf("Message-ID = %q", id)
	}
	if n := msg.Header.Get("X-Provisio-Notice"); n != env.ID {
		t.Errorf("X-Provisio-Notice = %q", n)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != env.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, env.Subject)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", mediaType, err)
	}
	bodies := map[string]string{}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, err := io.ReadAll(p) // NextPart undoes quoted-printable
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		bodies[ct] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	if !strings.Contains(bodies["text/plain"], sampleData().DenyLink) {
		t.Errorf("text/plain part lacks the deny link:\n%s", bodies["text/plain"])
	}
	if !strings.Contains(bodies["text/html"], `<a href="`+sampleData().Link+`"`) {
		t.Errorf("text/html part lacks the approve link:\n%s", bodies["text/html"])
	}
}

func mustNewSMTP(tb testing.TB, cfg SMTPConfig) *SMTP {
	tb.Helper()
	s, err := NewSMTP(cfg)
	if err != nil {
		tb.Fatalf("NewSMTP: %v", err)
	}
	return s
}

// delivery is one message as an SMTP sink received it.
type delivery struct {
	User string // authenticated user, "" without AUTH
	From string
	To   []string
	Data []byte
}

// sink is an in-process SMTP server that records what it receives. With a
// user set, it requires PLAIN authentication with that user and password.
type sink struct {
	addr       *net.TCPAddr
	user, pass string

	mu  sync.Mutex
	got []delivery
}

var _ smtp.Backend = (*sink)(nil)

func startSink(tb testing.TB, user, pass string) *sink {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &sink{addr: l.Addr().(*net.TCPAddr), user: user, pass: pass}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l) // returns nil once closed
	}()
	tb.Cleanup(func() {
		_ = srv.Close()
		// Close only closes listeners Serve has registered; closing l as
		// well ends a Serve that has not got that far yet.
		_ = l.Close()
		<-done
	})
	return s
}

// config points cfg at the sink with a fixed sender and a short timeout.
func (s *sink) config(cfg SMTPConfig) SMTPConfig {
	cfg.Host, cfg.Port = s.addr.IP.String(), s.addr.Port
	cfg.From = "Provisio <noreply@example.com>"
	cfg.Timeout = 5 * time.Second
	return cfg
}

func (s *sink) only(tb testing.TB) delivery {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.got) != 1 {
		tb.Fatalf("sink received %d messages, want 1", len(s.got))
	}
	return s.got[0]
}

func (s *sink) none(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.got) != 0 {
		tb.Fatalf("sink received %d messages, want none", len(s.got))
	}
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

// sinkSession records one connection's messages into its sink.
type sinkSession struct {
	sink *sink
	user string
	cur  delivery
}

var _ smtp.AuthSession = (*sinkSession)(nil)

func (ss *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if ss.sink.user == "" || username != ss.sink.user || password != ss.sink.pass {
			return errors.New("invalid credentials")
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.user != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.cur = delivery{User: ss.user, From: from}
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.Data = b
	ss.sink.mu.Lock()
	ss.sink.got = append(ss.sink.got, ss.cur)
	ss.sink.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset()        { ss.cur = delivery{} }
func (ss *sinkSession) Logout() error { return nil }
