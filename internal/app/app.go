// Package app holds Provisio's use cases. Each one authorizes the actor,
// applies the rules of SPEC.md, and writes its change, its activity-log
// entry and its notices through one store transaction.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/store"
)

// Config holds the settings the use cases read.
type Config struct {
	BaseURL       string        // where people reach the portal, for links in notices
	ProductName   string        // shown in notices
	InvitationTTL time.Duration // R-USER-4
	StasisPeriod  time.Duration // R-SITE-2
	MailLocal     bool          // no mail server: notices stay in the local mailbox (R-NOTE-2)
	Argon2        identity.Argon2Params
	MinPassword   int
}

// DefaultConfig is the configuration of a zero-setup install.
func DefaultConfig() Config {
	return Config{
		BaseURL:       "http://localhost:8080",
		ProductName:   "Provisio",
		InvitationTTL: 7 * 24 * time.Hour,
		StasisPeriod:  7 * 24 * time.Hour,
		MailLocal:     true,
		Argon2:        identity.DefaultArgon2,
		MinPassword:   12,
	}
}

// App runs the use cases.
type App struct {
	db     *store.DB
	cfg    Config
	now    func() time.Time
	emails *domain.EmailPolicy
	log    *slog.Logger
}

// New returns an App over db. now is the clock; tests inject their own.
func New(db *store.DB, cfg Config, emails *domain.EmailPolicy, now func() time.Time, log *slog.Logger) *App {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &App{db: db, cfg: cfg, now: func() time.Time { return now().UTC().Truncate(time.Microsecond) },
		emails: emails, log: log}
}

// Config returns the app's settings.
func (a *App) Config() Config { return a.cfg }

// Actor is who performs a use case.
type Actor struct {
	User       *domain.User
	Org        *domain.Org
	RemoteAddr string
}

// System is the actor for changes made by Provisio itself or by the
// command line on the database directly.
var System = Actor{}

func (act Actor) userID() string {
	if act.User == nil {
		return ""
	}
	return act.User.ID
}

func (act Actor) orgID() string {
	if act.Org == nil {
		return ""
	}
	return act.Org.ID
}

func (act Actor) is(r domain.Role) bool { return act.User != nil && act.User.HasRole(r) }

// IsOperator reports whether the actor is one of the vendor's operators.
func (act Actor) IsOperator() bool { return act.is(domain.RoleOperator) }

// unit is one use case's transaction: the store, the time of the change,
// and the actor, so that audit entries and notices need no more plumbing.
type unit struct {
	*store.Tx
	app *App
	act Actor
	now time.Time
}

// write runs fn in one transaction.
func (a *App) write(ctx context.Context, act Actor, fn func(u *unit) error) error {
	now := a.now()
	return a.db.Write(ctx, func(tx *store.Tx) error { return fn(&unit{Tx: tx, app: a, act: act, now: now}) })
}

// read runs fn outside a write transaction.
func (a *App) read(ctx context.Context, act Actor, fn func(u *unit) error) error {
	now := a.now()
	return a.db.Read(ctx, func(tx *store.Tx) error { return fn(&unit{Tx: tx, app: a, act: act, now: now}) })
}

// record appends an activity-log entry for a change to obj in org.
func (u *unit) record(ctx context.Context, action, objType, objID, orgID string, before, after any) error {
	e := &domain.AuditEntry{
		At: u.now, ActorID: u.act.userID(), ActorOrgID: u.act.orgID(), OrgID: orgID, Action: action,
		ObjectType: objType, ObjectID: objID, Before: mustJSON(before), After: mustJSON(after),
		RemoteAddr: u.act.RemoteAddr,
	}
	return u.AppendAudit(ctx, e)
}

func mustJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("audit: marshal %T: %v", v, err))
	}
	return b
}

// notify records a notice to one user in the outbox (R-NOTE-1).
func (u *unit) notify(ctx context.Context, kind, orgID string, to *domain.User, subject, body string) error {
	state := domain.NoticePending
	if u.app.cfg.MailLocal {
		state = domain.NoticeLocal
	}
	n := &domain.Notice{
		ID: domain.NewID("ntc", u.now), Kind: kind, OrgID: orgID, ToUserID: to.ID, ToEmail: to.Email,
		Subject: subject, Body: body, State: state, CreatedAt: u.now,
	}
	if err := u.CreateNotice(ctx, n); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// storeErr turns a store sentinel into a domain error for kind/id.
func storeErr(err error, kind, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return domain.NotFound(kind, id)
	}
	return err
}

func trimmed(s string) string { return strings.TrimSpace(s) }

func itoa(n int) string { return strconv.Itoa(n) }

var (
	dummyOnce sync.Once
	dummy     string
)

// dummyHash is a password hash that matches nothing, checked when the
// account does not exist so that both paths cost the same.
func dummyHash(p identity.Argon2Params) string {
	dummyOnce.Do(func() { dummy, _ = identity.HashPassword(identity.NewSecret("x"), p) })
	return dummy
}
