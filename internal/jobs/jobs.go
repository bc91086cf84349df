// Package jobs runs Provisio's background work on River: notice and
// webhook delivery with retries and backoff, access expiry at its time,
// and a periodic sweep that catches up on anything missed.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// Config holds the queue's settings.
type Config struct {
	SweepEvery  time.Duration // how often the sweep runs; it also runs at start
	MaxAttempts int           // delivery attempts before a notice is failed
	Workers     int
	// JobTimeout bounds one attempt. A job left running by a process that
	// died is taken up again after twice this.
	JobTimeout time.Duration
}

// Sender delivers a notice (SMTP in production).
type Sender func(ctx context.Context, n *domain.Notice) error

// Poster delivers a webhook event and returns the HTTP status.
type Poster func(ctx context.Context, url, secret string, d *domain.WebhookDelivery) (int, error)

// client is what Queue needs of a River client, whatever its driver's
// transaction type (*sql.Tx on SQLite, pgx.Tx on PostgreSQL).
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Queue is the running background queue. It implements app.Jobs.
type Queue struct {
	client client
	// inTx inserts jobs in a change's own database/sql transaction: the
	// working client itself on SQLite; on PostgreSQL, an insert-only
	// client on the riverdatabasesql driver, since the working one takes
	// pgx's pool.
	inTx *river.Client[*sql.Tx]
	log  *slog.Logger
}

var _ app.Jobs = (*Queue)(nil)

// Posters make the queue's HTTP calls: Webhooks to the addresses
// organisations give (through the outbound guard), Provisioner to the
// vendor's own site provisioner, which the operators set.
type Posters struct {
	Webhooks    Poster
	Provisioner Poster
}

// Conn is the database the queue keeps its jobs in: SQL always, and Pool
// too on PostgreSQL (nil on SQLite), for River's working client.
type Conn struct {
	Pool *pgxpool.Pool
	SQL  *sql.DB
}

// New builds the queue over db. send and post deliver notices, webhook
// events and provisioner calls; send may be nil when notices stay in the
// local mailbox.
func New(db Conn, a *app.App, cfg Config, send Sender, post Posters, log *slog.Logger) (*Queue, error) {
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 30 * time.Second
	}
	q := &Queue{log: log}
	workers := river.NewWorkers()
	river.AddWorker(workers, &noticeWorker{app: a, send: send})
	river.AddWorker(workers, &webhookWorker{app: a, post: post.Webhooks})
	river.AddWorker(workers, &provisionerWorker{app: a, post: post.Provisioner})
	river.AddWorker(workers, &expiryWorker{app: a})
	river.AddWorker(workers, &directoryWorker{app: a})
	river.AddWorker(workers, &sweepWorker{app: a, queue: q})
	rc := &river.Config{
		Logger:               log,
		ErrorHandler:         errorLog{log: log},
		MaxAttempts:          cfg.MaxAttempts,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: 2 * cfg.JobTimeout,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.SweepEvery),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})},
	}
	var err error
	if db.Pool != nil {
		q.client, err = newClient(riverpgxv5.New(db.Pool), rc)
		if err == nil {
			q.inTx, err = river.NewClient(riverdatabasesql.New(db.SQL), &river.Config{Logger: log, MaxAttempts: cfg.MaxAttempts})
		}
	} else {
		q.inTx, err = river.NewClient(riversqlite.New(db.SQL), rc)
		q.client = q.inTx
	}
	if err != nil {
		return nil, fmt.Errorf("river: %w", err)
	}
	return q, nil
}

func newClient[TTx any](d riverdriver.Driver[TTx], cfg *river.Config) (client, error) {
	return river.NewClient(d, cfg)
}

// Start begins working jobs; on PostgreSQL one replica is elected leader
// for the periodic sweep.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop lets running jobs finish, then stops.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

var unique = &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}

// Enqueue queues w in tx, the change's own transaction, in one insert:
// its notices, webhook deliveries and provisioner calls to send, its
// assignments' expiries at their time, and its directory accounts. The
// jobs commit with the change, or roll back with it.
func (q *Queue) Enqueue(ctx context.Context, tx app.Tx, w app.Work) error {
	ps := params(w)
	if len(ps) == 0 {
		return nil
	}
	sqlTx, ok := tx.(interface{ SQLTx() *sql.Tx })
	if !ok || sqlTx.SQLTx() == nil {
		return fmt.Errorf("jobs: the transaction %T is not a database/sql one", tx)
	}
	_, err := q.inTx.InsertManyTx(ctx, sqlTx.SQLTx(), ps)
	return err
}

// Committed queues, in one insert of its own, work found outside a
// change (the sweep's, say). A failure is only logged: the work is
// recorded in the database and the next sweep queues it again.
func (q *Queue) Committed(ctx context.Context, w app.Work) {
	ps := params(w)
	if len(ps) == 0 {
		return
	}
	if _, err := q.client.InsertMany(context.WithoutCancel(ctx), ps); err != nil {
		q.log.Warn("enqueue failed; the sweep will retry", "jobs", len(ps), "err", err)
	}
}

// params are the jobs of w.
func params(w app.Work) []river.InsertManyParams {
	var ps []river.InsertManyParams
	for _, id := range w.Notices {
		ps = append(ps, river.InsertManyParams{Args: NoticeArgs{NoticeID: id}, InsertOpts: unique})
	}
	for _, id := range w.Deliveries {
		ps = append(ps, river.InsertManyParams{Args: WebhookArgs{DeliveryID: id}, InsertOpts: unique})
	}
	for _, id := range w.Calls {
		ps = append(ps, river.InsertManyParams{Args: ProvisionerArgs{CallID: id}, InsertOpts: unique})
	}
	for id, at := range w.Expiries {
		ps = append(ps, river.InsertManyParams{Args: ExpiryArgs{AssignmentID: id, At: at.UTC()},
			InsertOpts: &river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}}})
	}
	// Directory jobs are not unique: a second run finds nothing left to do.
	for _, id := range w.DirectorySites {
		ps = append(ps, river.InsertManyParams{Args: DirectoryArgs{SiteID: id}})
	}
	for _, id := range w.DirectoryUsers {
		ps = append(ps, river.InsertManyParams{Args: DirectoryArgs{UserID: id}})
	}
	return ps
}

// insert enqueues a job. A failure is only logged: the work is recorded
// in the database and the next sweep enqueues it again.
func (q *Queue) insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) {
	if _, err := q.client.Insert(context.WithoutCancel(ctx), args, opts); err != nil {
		q.log.Warn("enqueue failed; the sweep will retry", "kind", args.Kind(), "err", err)
	}
}

// directoryDue queues, for the sweep, the users whose directory accounts
// are behind; a user whose job is still waiting or retrying (the
// directory down) is not queued again.
func (q *Queue) directoryDue(ctx context.Context, userIDs []string) {
	waiting := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning,
		rivertype.JobStateScheduled}}}
	for _, id := range userIDs {
		q.insert(ctx, DirectoryArgs{UserID: id, Swept: true}, waiting)
	}
}
