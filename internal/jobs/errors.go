package jobs

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// errorLog logs every job that fails: at WARN while it will be tried
// again, at ERROR when it has failed for good or panicked. River itself
// only notes them at INFO.
type errorLog struct{ log *slog.Logger }

// HandleError logs a job's error; the job follows its retry schedule.
func (e errorLog) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	level, what := slog.LevelWarn, "job failed; it will be retried"
	if job.Attempt >= job.MaxAttempts {
		level, what = slog.LevelError, "job failed for good"
	}
	e.log.Log(ctx, level, what, "kind", job.Kind, "job", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts, "err", err)
	return nil
}

// HandlePanic logs a job's panic with its stack.
func (e errorLog) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job panicked", "kind", job.Kind, "job", job.ID, "attempt", job.Attempt, "panic", panicVal, "trace", trace)
	return nil
}
