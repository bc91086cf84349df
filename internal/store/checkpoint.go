package store

import (
	"context"
	"os"
	"time"
)

// SQLite appends every commit to its write-ahead log, and by default the
// commit that takes the log past 1000 pages also copies the log back into
// the database file (a checkpoint) before it returns: milliseconds of one
// unlucky request's time, and a quarter of a long sweep's. Provisio turns
// that off (wal_autocheckpoint(0), store.go) and checkpoints in the
// background instead, on a connection of the pool, whenever the log has
// changed since the last look. A PASSIVE checkpoint waits for no reader
// or writer; journal_size_limit shrinks the log file again after a burst.
// The last connection to close checkpoints what is left, as always.
const checkpointEvery = 100 * time.Millisecond

// checkpointer is a DB's background checkpoints.
type checkpointer struct {
	stop context.CancelFunc
	done chan struct{}
}

// startCheckpoints checkpoints db every checkpointEvery while its log has
// changed, until the checkpointer is stopped.
func (db *DB) startCheckpoints() *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		wal := db.path + "-wal"
		var seen os.FileInfo // the log as it was when last checkpointed
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			fi, err := os.Stat(wal)
			if err != nil || seen != nil && fi.Size() == seen.Size() && fi.ModTime().Equal(seen.ModTime()) {
				continue
			}
			// A failure, or a checkpoint that readers kept from copying
			// the whole log, is left to the next look: the log only grows
			// meanwhile, and every read still sees every commit.
			var busy, frames, copied int
			err = db.sql.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
			if err == nil && busy == 0 && copied == frames {
				seen = fi
			}
		}
	}()
	return c
}

// close stops the checkpoints and waits for the last to end.
func (c *checkpointer) close() {
	if c != nil {
		c.stop()
		<-c.done
	}
}
