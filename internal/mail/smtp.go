package mail

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Envelope is one email to send.
type Envelope struct {
	ID      string // the notice id: used in the Message-ID header (<ID@provisio>) and an X-Provisio-Notice header so a resend can be recognised
	To      string // one address, with or without a display name
	Subject string // one line; line breaks are folded into spaces
	Text    string // the plain-text body
	HTML    string // the HTML body, sent as the alternative to Text
}

// SMTPConfig holds mail-server settings.
//
// With credentials, the password is only ever sent over an encrypted
// connection, except with TLS "none", where the operator has chosen a plain
// connection (a local relay) and PLAIN or LOGIN is used as offered. In
// particular "opportunistic" does not fall back to sending a password in the
// clear when the server offers no STARTTLS.
type SMTPConfig struct {
	Host     string        // mail server name or address; required
	Port     int           // default 587 (465 with TLS "tls")
	TLS      string        // "starttls" (default, mandatory STARTTLS), "tls" (implicit TLS, port 465), "none" (plain; for local relays and tests), "opportunistic"
	Username string        // empty: no auth
	Password string        // used only with Username
	From     string        // required, e.g. "Provisio <noreply@example.com>"
	Timeout  time.Duration // default 30s; bounds dialling and each step of the conversation
}

// The TLS modes of SMTPConfig.
const (
	tlsStartTLS      = "starttls"
	tlsImplicit      = "tls"
	tlsNone          = "none"
	tlsOpportunistic = "opportunistic"
)

const (
	defaultPort        = 587
	defaultImplicitTLS = 465
	defaultTimeout     = 30 * time.Second

	// noticeHeader carries the notice id, so a receiving system (or a person
	// reading headers) can tell a resend from a new notice.
	noticeHeader gomail.Header = "X-Provisio-Notice"

	// messageIDDomain is the right-hand side of every Message-ID: fixed, so
	// the same notice always gets the same Message-ID whichever host sends it.
	messageIDDomain = "provisio"
)

// SMTP sends envelopes through a mail server using github.com/wneessen/go-mail.
// It is safe for concurrent use: each Send opens its own connection.
type SMTP struct {
	cfg  SMTPConfig
	opts []gomail.Option
}

// NewSMTP checks cfg and fills in its defaults. It fails with an error naming
// the setting when the host is missing, From is missing or not an address,
// the port or timeout is out of range, the TLS mode is unknown, or a password
// is given without a username. It does not contact the server.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" {
		return nil, errors.New("smtp config: host is required")
	}
	cfg.From = strings.TrimSpace(cfg.From)
	if cfg.From == "" {
		return nil, errors.New(`smtp config: from is required, e.g. "Provisio <noreply@example.com>"`)
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp config: from %q is not an email address: %w", cfg.From, err)
	}
	cfg.TLS = strings.ToLower(strings.TrimSpace(cfg.TLS))
	if cfg.TLS == "" {
		cfg.TLS = tlsStartTLS
	}
	if cfg.Port == 0 {
		cfg.Port = defaultPort
		if cfg.TLS == tlsImplicit {
			cfg.Port = defaultImplicitTLS
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp config: port %d is out of range 1-65535", cfg.Port)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("smtp config: timeout %s is negative", cfg.Timeout)
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("smtp config: a password is set but the username is empty")
	}

	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
	}
	switch cfg.TLS {
	case tlsStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case tlsImplicit:
		opts = append(opts, gomail.WithSSL())
	case tlsNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case tlsOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		return nil, fmt.Errorf("smtp config: tls %q is not one of starttls, tls, none, opportunistic", cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
		if cfg.TLS == tlsNone {
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
		} else {
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}

	// Building a client once here surfaces option errors at start-up
	// instead of at the first notice.
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("smtp config: %w", err)
	}
	return &SMTP{cfg: cfg, opts: opts}, nil
}

// Send delivers e as one message: multipart/alternative with the text and
// HTML bodies (or a single part when one of them is empty). It fails when e
// is not sendable (no valid id, recipient, subject or body), when ctx ends,
// and when the server cannot be reached or refuses the message; a refusal
// wraps *gomail.SendError, and Permanent tells whether a retry may succeed.
func (s *SMTP) Send(ctx context.Context, e Envelope) error {
	msg, err := s.message(e)
	if err != nil {
		return fmt.Errorf("send notice %s: %w", e.ID, err)
	}
	// A client per message: go-mail's Client keeps per-connection state,
	// and a fresh one keeps concurrent Sends independent.
	client, err := gomail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return fmt.Errorf("send notice %s: %w", e.ID, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send notice %s via %s:%d: %w", e.ID, s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

// Permanent reports whether err, from Send, is the mail server's final
// refusal of the message: a 5xx reply to MAIL FROM, RCPT TO or DATA, such
// as "550 no such user". Sending again would get the same answer. A 4xx
// reply, a network failure or a timeout is temporary: it reports false.
func Permanent(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) || se.IsTemp() {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		code := se.ErrorCode()
		return code >= 500 && code <= 599
	}
	return false
}

// message builds the go-mail message for e.
func (s *SMTP) message(e Envelope) (*gomail.Msg, error) {
	if err := checkNoticeID(e.ID); err != nil {
		return nil, err
	}
	if _, err := netmail.ParseAddress(e.To); err != nil {
		return nil, fmt.Errorf("recipient %q is not an email address: %w", e.To, err)
	}
	subject := oneLine(e.Subject)
	if subject == "" {
		return nil, errors.New("subject is empty")
	}
	if e.Text == "" && e.HTML == "" {
		return nil, errors.New("body is empty")
	}

	m := gomail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := m.To(e.To); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	m.Subject(subject)
	m.SetMessageIDWithValue(e.ID + "@" + messageIDDomain)
	m.SetGenHeader(noticeHeader, e.ID)
	m.SetUserAgent("Provisio")
	switch {
	case e.Text != "" && e.HTML != "":
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	case e.Text != "":
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
	default:
		m.SetBodyString(gomail.TypeTextHTML, e.HTML)
	}
	return m, nil
}

// checkNoticeID accepts ids that can stand unquoted on the left of a
// Message-ID and in a header: letters, digits, '.', '-' and '_'. That covers
// numeric ids and UUIDs and keeps line breaks out of the headers.
func checkNoticeID(id string) error {
	if id == "" {
		return errors.New("notice id is empty")
	}
	if len(id) > 200 {
		return errors.New("notice id is longer than 200 characters")
	}
	if strings.HasPrefix(id, ".") || strings.HasSuffix(id, ".") || strings.Contains(id, "..") {
		return fmt.Errorf("notice id %q starts or ends with a dot or has two in a row", id)
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return fmt.Errorf("notice id %q has a character other than letters, digits, '.', '-' and '_'", id)
		}
	}
	return nil
}
