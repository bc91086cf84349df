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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/mail"
)

// Config holds the settings the use cases read.
type Config struct {
	BaseURL       string        // where people reach the portal, for links in notices
	ProductName   string        // shown in notices
	InvitationTTL time.Duration // R-USER-4
	StasisPeriod  time.Duration // R-SITE-2
	MailLocal     bool          // no mail server: notices stay in the local mailbox (R-NOTE-2)
	// Busy reports whether people's requests are being served; the sweep
	// then yields to them (sweep.go). Nil: never busy.
	Busy        func() bool
	Argon2      identity.Argon2Params
	MinPassword int

	// Partner access (R-PARTNER-2, R-PARTNER-3): the longest grant per
	// edition; zero means access does not expire.
	PartnerAccess map[domain.Edition]time.Duration
	RequestTTL    time.Duration // R-PARTNER-4: unanswered requests lapse
	ReminderLead  time.Duration // R-PLUS-1: reminder this long before access ends

	// Sign-in (R-USER-4…6, R-PLUS-3).
	SessionIdle      time.Duration            // a session unused this long ends
	SessionAbsolute  time.Duration            // a session ends this long after sign-in, used or not
	MFAFor           map[domain.UserType]bool // user types that always need a second factor
	PasswordResetTTL time.Duration            // how long a reset link works
	Throttle         ThrottleConfig
	// MaxHashing bounds the password hashes running at once (0: one per
	// processor, at least two); HashWait is how long one waits for a turn.
	MaxHashing int
	HashWait   time.Duration

	// IdempotencyLease is how long a POST holds its Idempotency-Key while
	// it runs; a claim older than this was left by a request that died
	// and may be taken over by its retry. Zero: DefaultIdempotencyLease.
	IdempotencyLease time.Duration

	// AppRetention is how long a user who lost access to a site stays in
	// the site application's list, inactive (R-APP-1).
	AppRetention time.Duration

	// Sign-in for the sites' applications (R-APP-2): how long an access
	// token lasts (a refresh re-runs the access decision), a refresh
	// token, and a signing key before the next one takes over (old public
	// keys stay published until their tokens expired).
	AppAccessTTL   time.Duration
	AppRefreshTTL  time.Duration
	AppKeyRotation time.Duration

	// Reviews is the schedule of user reviews (R-AUDIT-3).
	Reviews ReviewConfig

	// Provisioner builds the sites (R-SITE-0).
	Provisioner ProvisionerConfig

	// Dormancy is how long without any sign-in makes a user dormant
	// (R-AUDIT-2).
	Dormancy time.Duration
}

// ThrottleConfig limits failed sign-ins, per account and per client
// address: after SlowAfter failures each answer is delayed, and after the
// maximum within Window the key is locked out for Lockout.
type ThrottleConfig struct {
	AccountFailures int
	AddressFailures int
	// ResetsPerAccount and ResetsPerAddress bound password reset requests
	// within Window (0: no bound).
	ResetsPerAccount int
	ResetsPerAddress int
	SlowAfter        int
	Window           time.Duration
	Lockout          time.Duration
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
		PartnerAccess: map[domain.Edition]time.Duration{domain.EditionStandard: 7 * 24 * time.Hour},
		RequestTTL:    7 * 24 * time.Hour,
		ReminderLead:  24 * time.Hour,

		SessionIdle:      2 * time.Hour,
		SessionAbsolute:  12 * time.Hour,
		MFAFor:           map[domain.UserType]bool{domain.TypeOperator: true, domain.TypePartner: true},
		PasswordResetTTL: time.Hour,
		Throttle: ThrottleConfig{AccountFailures: 5, AddressFailures: 20, SlowAfter: 3, Window: 15 * time.Minute,
			Lockout: 15 * time.Minute, ResetsPerAccount: 3, ResetsPerAddress: 10},
		IdempotencyLease: DefaultIdempotencyLease,
		AppRetention:     30 * 24 * time.Hour,
		AppAccessTTL:     5 * time.Minute,
		AppRefreshTTL:    30 * 24 * time.Hour,
		AppKeyRotation:   30 * 24 * time.Hour,
		Dormancy:         90 * 24 * time.Hour,
		Provisioner:      ProvisionerConfig{Kind: ProvisionerBuiltin, Timeout: time.Hour},
		Reviews:          DefaultReviews,
	}
}

// App runs the use cases.
type App struct {
	db     Store
	cfg    Config
	now    func() time.Time
	emails *domain.EmailPolicy
	log    *slog.Logger
	jobs   Jobs
	pwd    *identity.PasswordPolicy
	sleep  func(context.Context, time.Duration) // the sign-in slow-down; tests skip it
	// hashSlots holds one token per password hash running (hashing.go).
	hashSlots chan struct{}
	// version, when the store has one, tells the read cache (reads.go)
	// whether what it keeps is current.
	version   func() (uint64, bool)
	reads     readCache
	dummyOnce sync.Once
	dummy     string
	txt       func(ctx context.Context, name string) ([]string, error) // DNS TXT lookups; nil: the system resolver
	opKeys    opKeys                                                   // the OpenID provider's signing keys (oidcop.go)
	// dirInUse is set once any site has a directory; dirChecked is when
	// the database was last asked (directory.go).
	dirInUse   atomic.Bool
	dirChecked atomic.Int64
}

// Jobs is the background queue. A change hands it the work it leaves
// behind inside its own transaction, so that the jobs commit with the
// change or not at all. The work is also recorded in the database (the
// outbox), which the sweep goes through in case a job is lost.
type Jobs interface {
	// Enqueue queues w in tx, the change's own transaction; an error
	// rolls the change back.
	Enqueue(ctx context.Context, tx Tx, w Work) error
	// Committed queues, at once, work found outside a change.
	Committed(ctx context.Context, w Work)
}

// Work is what a committed transaction leaves for the background queue.
type Work struct {
	Notices, Deliveries, Calls []string             // to send (calls: to the site provisioner)
	Expiries                   map[string]time.Time // assignment id → when its access ends
	// DirectorySites and DirectoryUsers have directory accounts to bring
	// into line with their access (R-APP-3).
	DirectorySites, DirectoryUsers []string
}

// SetJobs connects the background queue. Without one, outbox work waits
// for Sweep.
func (a *App) SetJobs(j Jobs) { a.jobs = j }

// New returns an App over db. now is the clock; tests inject their own.
func New(db Store, cfg Config, emails *domain.EmailPolicy, now func() time.Time, log *slog.Logger) *App {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	if cfg.MaxHashing <= 0 {
		cfg.MaxHashing = defaultMaxHashing()
	}
	a := &App{cfg: cfg, now: func() time.Time { return now().UTC().Truncate(time.Microsecond) },
		emails: emails, log: log, pwd: identity.NewPasswordPolicy(cfg.MinPassword), sleep: sleepCtx,
		hashSlots: make(chan struct{}, cfg.MaxHashing)}
	a.db = db
	if vs, ok := db.(versioned); ok {
		a.version = vs.Version
		vs.OnAssignments(a.reads.forget)
	}
	return a
}

// Config returns the app's settings.
func (a *App) Config() Config { return a.cfg }

// Actor is who performs a use case.
type Actor struct {
	User       *domain.User
	Org        *domain.Org
	RemoteAddr string
	mfaPending bool // signed in with a password only; must enrol a second factor (R-PLUS-3)
	// client is the SCIM token a machine acts with (scim.go); such an
	// actor is made only inside app and only reaches the SCIM use cases.
	client *domain.SCIMToken
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

// actorID is who the activity log names: the user, or the SCIM token
// (the log shows the token's name).
func (act Actor) actorID() string {
	if act.client != nil {
		return act.client.ID
	}
	return act.userID()
}

func (act Actor) orgID() string {
	if act.Org == nil {
		return ""
	}
	return act.Org.ID
}

// name is how notices name the actor: the person, or the SCIM token.
func (act Actor) name() string {
	switch {
	case act.User != nil:
		return act.User.Name
	case act.client != nil:
		return act.client.Name
	}
	return ""
}

func (act Actor) is(r domain.Role) bool { return act.User != nil && act.User.HasRole(r) }

// IsOperator reports whether the actor is one of the vendor's operators.
func (act Actor) IsOperator() bool { return act.is(domain.RoleOperator) }

// unit is one use case's transaction: the store, the time of the change,
// and the actor, so that audit entries and notices need no more plumbing.
type unit struct {
	tx         Tx // reads of tenant data go through the load helpers of authz.go
	app        *App
	act        Actor
	now        time.Time
	notices    []string // written in this transaction, to hand to Jobs after commit
	deliveries []string
	calls      []string // to the site provisioner
	expiries   map[string]time.Time
	// memo, in a batch of system work, keeps what its items share.
	memo memo
	// reason is why the person did it, when they said: it goes in the
	// activity log with the change (and in the notice, where one is sent).
	reason string
	// held is set in the units of write (nil in those of read): their
	// activity-log entries and notices are kept here and written
	// together, just before commit.
	held *held
}

// errReadOnly is a unit of read asked to record a change: a programming
// error, reported rather than lost.
var errReadOnly = errors.New("a read-only unit cannot record a change or send a notice")

// held is what a write unit writes at its end, in one go.
type held struct {
	audit   []*domain.AuditEntry
	notices []*domain.Notice
}

// flush writes what u held: its notices, then its activity-log entries.
func (u *unit) flush(ctx context.Context) error {
	if u.held == nil {
		return nil
	}
	h := u.held
	u.held = &held{}
	if err := u.tx.CreateNotices(ctx, h.notices); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return u.tx.AppendAudits(ctx, h.audit)
}

// write runs fn in one transaction, with the jobs it leaves for the queue.
// An actor that still owes a second factor is refused (R-PLUS-3).
func (a *App) write(ctx context.Context, act Actor, fn func(u *unit) error) error {
	if err := act.mayAct(); err != nil {
		return err
	}
	return a.writeEnrolling(ctx, act, fn)
}

// writeEnrolling is write for the few use cases open to a session that
// must still enrol a second factor: the enrolment itself and its own
// sessions.
func (a *App) writeEnrolling(ctx context.Context, act Actor, fn func(u *unit) error) error {
	u := &unit{app: a, act: act, now: a.now()}
	return a.db.Write(ctx, func(tx Tx) error {
		u.tx, u.notices, u.deliveries, u.calls, u.expiries, u.held = tx, nil, nil, nil, nil, &held{}
		if err := fn(u); err != nil {
			return err
		}
		if err := u.flush(ctx); err != nil {
			return err
		}
		return u.queueJobs(ctx)
	})
}

// queueJobs hands the queue, in u's transaction, the work u's change left
// behind: its notices, deliveries, calls and expiries, and the directory
// accounts of what it changed when any site has a directory (R-APP-3).
func (u *unit) queueJobs(ctx context.Context) error {
	a := u.app
	if a.jobs == nil {
		return nil
	}
	w := Work{Notices: u.notices, Deliveries: u.deliveries, Calls: u.calls, Expiries: u.expiries}
	if sites, users := u.tx.Changed(); len(sites)+len(users) > 0 {
		inUse, err := a.directoriesInUse(ctx, u.tx)
		if err != nil {
			return err
		}
		if inUse {
			w.DirectorySites, w.DirectoryUsers = sites, users
		}
	}
	if err := a.jobs.Enqueue(ctx, u.tx, w); err != nil {
		return fmt.Errorf("queue the change's jobs: %w", err)
	}
	return nil
}

// read runs fn outside a write transaction. An actor that still owes a
// second factor is refused (R-PLUS-3).
func (a *App) read(ctx context.Context, act Actor, fn func(u *unit) error) error {
	if err := act.mayAct(); err != nil {
		return err
	}
	return a.readEnrolling(ctx, act, fn)
}

// readEnrolling is read for the use cases open to a session that must
// still enrol a second factor.
func (a *App) readEnrolling(ctx context.Context, act Actor, fn func(u *unit) error) error {
	now := a.now()
	return a.db.Read(ctx, func(tx Tx) error { return fn(&unit{tx: a.overReads(tx), app: a, act: act, now: now}) })
}

// record appends an activity-log entry for a change to obj in org.
func (u *unit) record(ctx context.Context, action, objType, objID, orgID string, before, after any) error {
	e := &domain.AuditEntry{
		At: u.now, ActorID: u.act.actorID(), ActorOrgID: u.act.orgID(), OrgID: orgID, Action: action,
		ObjectType: objType, ObjectID: objID, Before: mustJSON(before), After: withReason(mustJSON(after), u.reason),
		RemoteAddr: u.act.RemoteAddr,
	}
	if u.held == nil {
		return errReadOnly
	}
	u.held.audit = append(u.held.audit, e)
	return nil
}

// withReason adds the person's reason to an entry's after state (an
// object, or nothing for a removal), keeping every field of it.
func withReason(after json.RawMessage, reason string) json.RawMessage {
	if reason == "" {
		return after
	}
	m := map[string]any{}
	if len(after) > 0 && string(after) != "null" && json.Unmarshal(after, &m) != nil {
		return after // not an object: leave it as it is
	}
	m["reason"] = reason
	return mustJSON(m)
}

// because sets why the person does what the unit records, checked.
func (u *unit) because(reason string) error {
	reason = trimmed(reason)
	if len([]rune(reason)) > 500 {
		return &domain.Error{Code: domain.EInvalid, Field: "reason", Message: "a reason is at most 500 characters"}
	}
	u.reason = reason
	return nil
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

// notify records the notice kind for one user in the outbox (R-NOTE-1):
// its subject, and the data its bodies are rendered from when it is sent
// or read (renderNotice). With no mail server it goes to the local mailbox
// (R-NOTE-2); otherwise it waits for delivery.
func (u *unit) notify(ctx context.Context, kind, orgID string, to *domain.User, d mail.Data) error {
	d.Product, d.BaseURL, d.RecipientName, d.Zone = u.app.cfg.ProductName, u.app.cfg.BaseURL, to.Name, to.TimeZone
	if d.ActorName == "" {
		d.ActorName = u.act.name()
	}
	subject, err := mail.Subject(kind, d)
	if err != nil {
		return fmt.Errorf("render %s notice: %w", kind, err)
	}
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("keep %s notice: %w", kind, err)
	}
	state := domain.NoticePending
	if u.app.cfg.MailLocal {
		state = domain.NoticeLocal
	}
	n := &domain.Notice{
		ID: domain.NewID("ntc", u.now), Kind: kind, OrgID: orgID, ToUserID: to.ID, ToEmail: to.Email,
		Subject: subject, TemplateData: string(data), State: state, CreatedAt: u.now,
	}
	if u.held == nil {
		return errReadOnly
	}
	u.held.notices = append(u.held.notices, n)
	if state == domain.NoticePending {
		u.notices = append(u.notices, n.ID)
	}
	return nil
}

// announce tells people and machines about one change: a notice to each
// recipient, and the event to the webhooks of each organisation concerned
// (R-PLUS-2).
func (u *unit) announce(ctx context.Context, kind string, orgIDs []string, d mail.Data, to ...*domain.User) error {
	for _, r := range to {
		if err := u.notify(ctx, kind, orgIDs[0], r, d); err != nil {
			return err
		}
	}
	return u.event(ctx, kind, orgIDs, d)
}

// storeErr turns the store's not-found sentinel into the uniform
// not-found error for kind/id; any other failure stays an internal error,
// wrapped with what was being read (a database failure never becomes "not
// found").
func storeErr(err error, kind, id string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, domain.ErrNotFound):
		return domain.NotFound(kind).WithCause(err)
	case domain.ErrorCode(err) != domain.EInternal:
		return err
	}
	return fmt.Errorf("read %s %s: %w", kind, id, err)
}

// hideAs answers "not found" as kind/id when err is a not-found error
// about something else (the site of a request the actor cannot see), and
// passes any other error on.
func hideAs(err error, kind, id string) error {
	if domain.ErrorCode(err) == domain.ENotFound {
		return domain.NotFound(kind).WithCause(err)
	}
	return err
}

func trimmed(s string) string { return strings.TrimSpace(s) }

// dummyHash is a password hash that matches nothing, with the app's own
// argon2 settings, checked when the account does not exist or has no
// password yet, so that every case costs the same.
func (a *App) dummyHash() string {
	a.dummyOnce.Do(func() { a.dummy, _ = identity.HashPassword(identity.NewSecret("x"), a.cfg.Argon2) })
	return a.dummy
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// SetSleep replaces the sign-in slow-down's sleep, so tests do not wait.
func (a *App) SetSleep(f func(context.Context, time.Duration)) { a.sleep = f }
