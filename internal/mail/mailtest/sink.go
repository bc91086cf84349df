// Package mailtest is an in-process SMTP server for tests: it accepts
// every message and keeps it, so a test can count what was delivered, or
// refuses recipients with a chosen reply.
package mailtest

import (
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one delivered email.
type Message struct {
	From   string
	To     []string
	Header mail.Header
	Body   string
}

// Sink is a running SMTP server on loopback.
type Sink struct {
	Addr   string // host:port
	mu     sync.Mutex
	msgs   []Message
	refuse *smtp.SMTPError // the reply to RCPT TO; nil accepts
	srv    *smtp.Server
}

// Start runs a sink on addr ("127.0.0.1:0" for any free port) until the
// test ends.
func Start(tb testing.TB, addr string) *Sink {
	tb.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	s := &Sink{Addr: ln.Addr().String()}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{sink: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	go func() { _ = s.srv.Serve(ln) }()
	tb.Cleanup(func() { _ = s.srv.Close(); _ = ln.Close() })
	return s
}

// RefuseRecipients makes the sink answer every RCPT TO with code and
// message: a 4xx code is a temporary refusal, a 5xx a permanent one. Code
// 0 accepts recipients again.
func (s *Sink) RefuseRecipients(code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = nil
	if code != 0 {
		s.refuse = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: message}
	}
}

// Messages returns what was delivered so far.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait polls until match holds for the delivered messages or the timeout
// passes, and returns the messages then.
func (s *Sink) Wait(timeout time.Duration, match func([]Message) bool) ([]Message, bool) {
	deadline := time.Now().Add(timeout)
	for {
		ms := s.Messages()
		if match(ms) {
			return ms, true
		}
		if time.Now().After(deadline) {
			return ms, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Text returns the decoded text/plain part of the message (or the whole
// body when it is not multipart).
func (m Message) Text() string { return m.part("text/plain") }

// HTML returns the decoded text/html part of the message.
func (m Message) HTML() string { return m.part("text/html") }

func (m Message) part(want string) string {
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return decode(m.Header.Get("Content-Transfer-Encoding"), m.Body)
	}
	r := multipart.NewReader(strings.NewReader(m.Body), params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err != nil {
			return ""
		}
		b, _ := io.ReadAll(p)
		if ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct == want {
			return decode(p.Header.Get("Content-Transfer-Encoding"), string(b))
		}
	}
}

func decode(encoding, s string) string {
	if strings.EqualFold(encoding, "quoted-printable") {
		b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(s)))
		if err == nil {
			return string(b)
		}
	}
	return s
}

type session struct {
	sink *Sink
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.sink.mu.Lock()
	refuse := s.sink.refuse
	s.sink.mu.Unlock()
	if refuse != nil {
		return refuse
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: s.from, To: s.to}
	if parsed, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		body, _ := io.ReadAll(parsed.Body)
		m.Header, m.Body = parsed.Header, string(body)
	} else {
		m.Body = string(raw)
	}
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, m)
	s.sink.mu.Unlock()
	return nil
}
