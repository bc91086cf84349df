package store

import (
	"context"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// A cache of rows (app's read cache) may serve a row only while the
// database has not changed since it was read. DB.Version tells it: the
// number moves with every write this process runs, at once, and with
// every commit anyone else makes (another replica, the command line),
// seen by polling the database every changePoll. Polling is cheap and
// needs nothing of the writers: SQLite's PRAGMA data_version, read on a
// connection of its own, moves with every commit of another connection;
// PostgreSQL's pg_current_snapshot() moves with every transaction that
// wrote and ended, in any session.
const (
	changePoll = 15 * time.Millisecond
	// changeFresh is how recent the last successful poll must be for
	// Version to call its number current. A cache that obeys it serves
	// nothing older than this, well inside the 100 ms DESIGN allows for
	// a lock or revocation to reach every replica.
	changeFresh = 50 * time.Millisecond
	// changeIdle stops the polling when nobody has asked for the version
	// for this long, so that an idle server does no work.
	changeIdle = 2 * time.Second
	// changeFailures ends a polling run after this many failed readings
	// in a row, releasing its connection; the next Version starts anew.
	changeFailures = 3
	// never is polledAt before any good reading: long before any now.
	never = math.MinInt64 / 2
)

// changeWatch is a DB's watch on its changes.
type changeWatch struct {
	// version counts this process's writes and the changes polling saw.
	version atomic.Uint64
	// Times are nanoseconds since base, on the monotonic clock, so that a
	// step of the wall clock cannot make an old reading look fresh.
	base     time.Time
	polledAt atomic.Int64 // the start of the last successful poll; never before one
	askedAt  atomic.Int64 // the last Version call
	running  atomic.Bool
	mu       sync.Mutex      // orders starting the polling with close
	stop     context.Context // done when the DB closes
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

func newChangeWatch() *changeWatch {
	c := &changeWatch{base: time.Now()}
	c.polledAt.Store(never)
	c.stop, c.cancel = context.WithCancel(context.Background())
	return c
}

// Version returns a number that changes whenever the database may have
// changed, and whether it is current: false while the polling starts,
// after it fails, or after the DB closes. A caller must not trust a row
// it read under one version once Version returns another, or returns
// false.
func (db *DB) Version() (uint64, bool) {
	c := db.watch
	now := c.now()
	if now-c.askedAt.Load() > int64(changePoll) {
		// Only now and then: every reader of every core would write it.
		c.askedAt.Store(now)
	}
	if !c.running.Load() {
		c.mu.Lock()
		if c.stop.Err() == nil && c.running.CompareAndSwap(false, true) {
			c.wg.Add(1)
			go db.pollChanges()
		}
		c.mu.Unlock()
	}
	return c.version.Load(), now-c.polledAt.Load() < int64(changeFresh)
}

// now is the time since base, on the monotonic clock.
func (c *changeWatch) now() int64 { return int64(time.Since(c.base)) }

// wrote records a write of this process, committed or not.
func (c *changeWatch) wrote() { c.version.Add(1) }

// close stops the polling and waits for it to end.
func (c *changeWatch) close() {
	c.mu.Lock()
	c.cancel()
	c.mu.Unlock()
	c.wg.Wait()
}

// pollChanges reads the database's change marker every changePoll until
// nobody asks or the DB closes. The first reading of each run counts as a
// change: the database may have moved while nobody watched.
func (db *DB) pollChanges() {
	c := db.watch
	defer c.wg.Done()
	defer c.running.Store(false)
	probe, release, err := db.changeProbe(c.stop)
	if err != nil {
		return
	}
	defer release()
	var last string
	first, failures := true, 0
	t := time.NewTicker(changePoll)
	defer t.Stop()
	defer c.polledAt.Store(never)
	for {
		start := c.now()
		mark, err := probe(c.stop)
		switch {
		case err != nil:
			if failures++; failures >= changeFailures {
				return // a fresh connection next time
			}
		default:
			if first || mark != last {
				c.version.Add(1)
			}
			last, first, failures = mark, false, 0
			c.polledAt.Store(start)
		}
		select {
		case <-c.stop.Done():
			return
		case <-t.C:
		}
		if c.now()-c.askedAt.Load() > int64(changeIdle) {
			return
		}
	}
}

// changeProbe returns the query that reads the change marker, and what to
// release when the polling ends.
func (db *DB) changeProbe(ctx context.Context) (func(context.Context) (string, error), func(), error) {
	if db.dialect == Postgres {
		probe := func(ctx context.Context) (mark string, err error) {
			err = db.sql.QueryRowContext(ctx, `SELECT pg_current_snapshot()::text`).Scan(&mark)
			return mark, err
		}
		return probe, func() {}, nil
	}
	// data_version is per connection: keep one for the watch.
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	probe := func(ctx context.Context) (mark string, err error) {
		var n int64
		err = conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&n)
		return strconv.FormatInt(n, 10), err
	}
	return probe, func() { _ = conn.Close() }, nil
}
