package jobs

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/mail"
	"github.com/riverqueue/river"
)

// NoticeArgs asks for one notice to be delivered.
type NoticeArgs struct {
	NoticeID string `json:"notice_id"`
}

// Kind names the job.
func (NoticeArgs) Kind() string { return "deliver_notice" }

type noticeWorker struct {
	river.WorkerDefaults[NoticeArgs]
	app  *app.App
	send Sender
}

// NextRetry backs off exponentially from 2 s, capped at 5 min, so a
// delivery resumes soon after a mail server or the process comes back.
func (w *noticeWorker) NextRetry(job *river.Job[NoticeArgs]) time.Time { return backoff(job.Attempt) }

func backoff(attempt int) time.Time {
	d := 5 * time.Minute
	if attempt < 9 {
		d = min(d, time.Duration(1<<attempt)*time.Second)
	}
	return time.Now().Add(d)
}

func (w *noticeWorker) Work(ctx context.Context, job *river.Job[NoticeArgs]) error {
	if w.send == nil {
		return nil // no mail server: notices stay in the local mailbox
	}
	final := job.Attempt >= job.MaxAttempts
	err := w.app.DeliverNotice(ctx, job.Args.NoticeID, final, w.send)
	if mail.Permanent(err) {
		// The notice is failed already; another attempt would only hear
		// the same refusal.
		return river.JobCancel(err)
	}
	return err
}

// WebhookArgs asks for one webhook delivery.
type WebhookArgs struct {
	DeliveryID string `json:"delivery_id"`
}

// Kind names the job.
func (WebhookArgs) Kind() string { return "deliver_webhook" }

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	app  *app.App
	post Poster
}

// NextRetry backs off like notice delivery.
func (w *webhookWorker) NextRetry(job *river.Job[WebhookArgs]) time.Time { return backoff(job.Attempt) }

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	return w.app.DeliverWebhook(ctx, job.Args.DeliveryID, job.Attempt >= job.MaxAttempts, w.post)
}

// ProvisionerArgs asks for one call to the site provisioner.
type ProvisionerArgs struct {
	CallID string `json:"call_id"`
}

// Kind names the job.
func (ProvisionerArgs) Kind() string { return "call_provisioner" }

type provisionerWorker struct {
	river.WorkerDefaults[ProvisionerArgs]
	app  *app.App
	post Poster
}

// NextRetry backs off like notice delivery.
func (w *provisionerWorker) NextRetry(job *river.Job[ProvisionerArgs]) time.Time {
	return backoff(job.Attempt)
}

func (w *provisionerWorker) Work(ctx context.Context, job *river.Job[ProvisionerArgs]) error {
	return w.app.DeliverProvisionerCall(ctx, job.Args.CallID, job.Attempt >= job.MaxAttempts, w.post)
}

// DirectoryArgs asks for the directory accounts of a site, or of a user,
// to be brought into line with their access (R-APP-3).
type DirectoryArgs struct {
	SiteID string `json:"site_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
	Swept  bool   `json:"swept,omitempty"` // queued by the sweep
}

// Kind names the job.
func (DirectoryArgs) Kind() string { return "sync_directory" }

type directoryWorker struct {
	river.WorkerDefaults[DirectoryArgs]
	app *app.App
}

// NextRetry backs off like notice delivery, so an account is made soon
// after the directory comes back.
func (w *directoryWorker) NextRetry(job *river.Job[DirectoryArgs]) time.Time {
	return backoff(job.Attempt)
}

func (w *directoryWorker) Work(ctx context.Context, job *river.Job[DirectoryArgs]) error {
	return w.app.SyncDirectory(ctx, job.Args.SiteID, job.Args.UserID)
}

// ExpiryArgs asks for an assignment to be removed once its time is up.
type ExpiryArgs struct {
	AssignmentID string    `json:"assignment_id"`
	At           time.Time `json:"at"`
}

// Kind names the job.
func (ExpiryArgs) Kind() string { return "expire_assignment" }

type expiryWorker struct {
	river.WorkerDefaults[ExpiryArgs]
	app *app.App
}

func (w *expiryWorker) Work(ctx context.Context, job *river.Job[ExpiryArgs]) error {
	return w.app.ExpireAssignment(ctx, job.Args.AssignmentID)
}

// SweepArgs is the periodic catch-up.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "sweep" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	app   *app.App
	queue *Queue
}

// Work expires access, lapses requests and sends reminders, then queues
// again any delivery still pending.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	res, err := w.app.Sweep(ctx)
	if err != nil {
		return err
	}
	notices, deliveries, calls, err := w.app.PendingWork(ctx, 500)
	if err != nil {
		return err
	}
	w.queue.Committed(ctx, app.Work{Notices: notices, Deliveries: deliveries, Calls: calls})
	tasks, err := w.app.DirectoryWork(ctx, 500)
	if err != nil {
		return err
	}
	users := map[string]bool{}
	for _, t := range tasks {
		users[t.UserID] = true
	}
	w.queue.directoryDue(ctx, slices.Sorted(maps.Keys(users)))
	if res != (app.SweepResult{}) || len(notices)+len(deliveries)+len(calls)+len(tasks) > 0 {
		w.queue.log.Info("sweep", "expired", res.Expired, "lapsed", res.Lapsed, "reminders", res.Reminders,
			"provisioning_timed_out", res.ProvisionTimedOut, "requeued_notices", len(notices),
			"requeued_deliveries", len(deliveries), "requeued_provisioner_calls", len(calls), "directory_accounts_due", len(tasks))
	}
	return nil
}
