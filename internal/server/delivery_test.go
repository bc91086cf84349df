package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/hooksig"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/jobs"
	"github.com/provisio/provisio/internal/mail"
	"github.com/provisio/provisio/internal/mail/mailtest"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// receiver is a webhook endpoint that checks every signature and can be
// told to fail the first n requests.
type receiver struct {
	mu       sync.Mutex
	secret   string
	failNext int
	events   []app.Event
	bad      []string
	attempts int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts++
	if err := hooksig.Verify(rc.secret, r.Header.Get(hooksig.Header), body, time.Now(), 5*time.Minute); err != nil {
		rc.bad = append(rc.bad, err.Error())
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if rc.failNext > 0 {
		rc.failNext--
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	var ev app.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		rc.bad = append(rc.bad, err.Error())
	}
	rc.events = append(rc.events, ev)
}

func (rc *receiver) snapshot() (events []app.Event, bad []string, attempts int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]app.Event(nil), rc.events...), append([]string(nil), rc.bad...), rc.attempts
}

// TestDelivery sends real email to a local SMTP server and real webhook
// events to a local receiver that checks their signatures, through the
// running server's queue, and reads the delivery state back.
// R-NOTE-1 R-PLUS-2
func TestDelivery(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		sink := mailtest.Start(t, "127.0.0.1:0")
		host, portText, _ := net.SplitHostPort(sink.Addr)
		port, _ := strconv.Atoi(portText)
		cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig(), OutboundLoopback: true,
			SMTP: mail.SMTPConfig{Host: host, Port: port, TLS: "none", From: "Provisio <noreply@provisio.example>"},
			Jobs: jobs.Config{SweepEvery: 500 * time.Millisecond, MaxAttempts: 5}}
		cfg.App.Argon2 = identity.Argon2Params{Time: 1, Memory: 1024, Threads: 1}
		cfg.App.MFAFor = nil
		logs := &lockedBuffer{}
		s, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		ctx := serve(t, s)

		// The operator's invitation goes out by SMTP, once.
		a := s.App
		opUser, link, err := a.Bootstrap(ctx, "Vendor", "olivia@vendor.example", "Olivia Operator")
		if err != nil {
			t.Fatal(err)
		}
		msgs, ok := sink.Wait(15*time.Second, func(ms []mailtest.Message) bool { return len(ms) >= 1 })
		if !ok || len(msgs[0].To) != 1 || msgs[0].To[0] != "olivia@vendor.example" || !strings.Contains(msgs[0].Text(), link) || !strings.Contains(msgs[0].HTML(), link) {
			t.Fatalf("invitation by SMTP: %+v", msgs)
		}
		noticeID := msgs[0].Header.Get("X-Provisio-Notice")
		if !strings.HasPrefix(msgs[0].Header.Get("Message-Id"), "<"+noticeID) {
			t.Fatalf("Message-ID %q does not carry notice %q", msgs[0].Header.Get("Message-Id"), noticeID)
		}
		if _, err := a.AcceptInvitation(ctx, "", link[strings.LastIndex(link, "/")+1:], "a long enough password"); err != nil {
			t.Fatal(err)
		}
		secret, _, err := a.IssueToken(ctx, "", "olivia@vendor.example", "a long enough password", "test")
		if err != nil {
			t.Fatal(err)
		}
		op, err := a.Authenticate(ctx, secret, "")
		if err != nil {
			t.Fatal(err)
		}
		n, err := a.Notice(ctx, op, noticeID)
		if err != nil || n.State != domain.NoticeSent || n.SentAt.IsZero() || n.Attempts != 1 {
			t.Fatalf("delivery state: %+v %v", n, err)
		}
		_ = opUser

		// A customer with a webhook that fails once: the event is retried
		// and arrives signed.
		cust, err := a.CreateOrg(ctx, op, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		rc := &receiver{failNext: 1}
		hs := httptest.NewServer(rc)
		defer hs.Close()
		hook, err := a.CreateWebhook(ctx, op, cust.ID, hs.URL+"/hook")
		if err != nil {
			t.Fatal(err)
		}
		rc.mu.Lock()
		rc.secret = hook.Secret
		rc.mu.Unlock()
		if _, _, err := a.CreateUser(ctx, op, app.NewUser{OrgID: cust.ID, Email: "carol@acme.example", Name: "Carol Admin",
			Roles: []domain.Role{domain.RoleCustomerAdmin}}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		var events []app.Event
		var bad []string
		var attempts int
		for time.Now().Before(deadline) {
			if events, bad, attempts = rc.snapshot(); len(events) > 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(events) != 1 || events[0].Type != domain.NoticeInvitation || events[0].OrgID != cust.ID ||
			events[0].Data.UserEmail != "carol@acme.example" || len(bad) != 0 || attempts != 2 {
			t.Fatalf("webhook: events %+v, bad signatures %v, attempts %d", events, bad, attempts)
		}
		// The receiver answers before the delivery's outcome commits: wait
		// for the log to say so.
		log, err := a.Deliveries(ctx, op, hook.ID, domain.Page{})
		for err == nil && time.Now().Before(deadline) && (len(log.Items) != 1 || log.Items[0].State != domain.DeliverySent) {
			time.Sleep(20 * time.Millisecond)
			log, err = a.Deliveries(ctx, op, hook.ID, domain.Page{})
		}
		if err != nil || len(log.Items) != 1 || log.Items[0].State != domain.DeliverySent || log.Items[0].Attempts != 2 ||
			log.Items[0].LastStatus != 200 {
			t.Fatalf("delivery log: %+v %v", log.Items, err)
		}
		// The failed first attempt was logged as a warning, not at INFO
		// (issue 15: a job that errors logs at WARN or ERROR).
		if !regexp.MustCompile(`level=WARN msg="job failed; it will be retried" kind=deliver_webhook .*attempt=1 `).MatchString(logs.String()) {
			t.Fatalf("the failed webhook job was not logged at WARN:\n%s", logs.String())
		}
		// Carol's invitation went by SMTP too, and nothing was sent twice,
		// even after more sweeps.
		time.Sleep(1200 * time.Millisecond)
		seen := map[string]int{}
		for _, m := range sink.Messages() {
			seen[m.Header.Get("X-Provisio-Notice")]++
		}
		if len(seen) != 2 {
			t.Fatalf("want 2 notices delivered, got %v", seen)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("notice %s delivered %d times", id, c)
			}
		}
		// TestNotices_LinkSecretsNotKept: a delivered notice keeps no link
		// secret, and no stored body is readable without the sealing key.
		for id := range seen {
			n, err := a.Notice(ctx, op, id)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(n.Body, "/invitations/…") || regexp.MustCompile(`/invitations/inv_`).MatchString(n.Body+n.BodyHTML) {
				t.Fatalf("delivered notice %s keeps its link: %s", id, n.Body)
			}
		}
		var plain int
		if err := s.DB.SQL().QueryRow(`SELECT COUNT(*) FROM notices WHERE body LIKE '%invitations%' OR body_html LIKE '%invitations%' OR template_data LIKE '%invitations%'`).Scan(&plain); err != nil || plain != 0 {
			t.Fatalf("%d notices stored readable (%v)", plain, err)
		}
	})
}

// lockedBuffer is a log's output that the server's goroutines write while
// the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
