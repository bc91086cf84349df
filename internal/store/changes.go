package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A cache of rows (app's read cache) may serve a row only while the
// database has not changed it since it was read. DB.Version and
// DB.OnAssignments tell it. Every write transaction notes the statements
// it runs (written.go): one that wrote only tables no cache reads tells
// nothing; one that wrote only the assignments of some users (a sweep's
// expired grants) names those users, and the cache forgets only what it
// kept of them; any other moves the version, and the cache forgets all.
// This process's writes are told at once; anyone else's (another replica,
// the command line) are read from the change log, which every such write
// appends to in its own transaction, every changePoll.
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
	// changeEvery moves the version this often whatever the log says, so
	// that a change made outside Provisio (by hand, in SQL) reaches every
	// cache within it too.
	changeEvery = 10 * time.Second
	// changeKept is how long the log keeps a row (PruneChanges). A poll
	// that comes later than half of it after the last reads nothing of
	// the log and moves the version instead.
	changeKept = 10 * time.Minute
	// never is polledAt before any good reading: long before any now.
	never = math.MinInt64 / 2
)

// changeWatch is a DB's watch on its changes.
type changeWatch struct {
	// version counts the changes of anything, this process's and the ones
	// polling saw.
	version atomic.Uint64
	// forget are told the users whose assignments alone changed.
	forget atomic.Pointer[[]func(users []string)]
	origin string // this DB's name in the change log, to skip its own rows
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
	c := &changeWatch{base: time.Now(), origin: rand.Text()}
	c.polledAt.Store(never)
	c.stop, c.cancel = context.WithCancel(context.Background())
	return c
}

// OnAssignments makes db tell forget the users whose site or company
// assignments a write changed, when it changed nothing else a cache keeps:
// at once after this process's write, within changePoll after anyone
// else's. Without it, such a change moves the version like any other.
func (db *DB) OnAssignments(forget func(users []string)) {
	c := db.watch
	c.mu.Lock()
	defer c.mu.Unlock()
	var fs []func([]string)
	if old := c.forget.Load(); old != nil {
		fs = slices.Clone(*old)
	}
	fs = append(fs, forget)
	c.forget.Store(&fs)
}

// Version returns a number that changes whenever the database may have
// changed (once OnAssignments is called, except by a change of some
// users' assignments alone, which it is told instead), and whether it is
// current: false while the polling starts, after it fails, or after the DB
// closes. A caller must not trust a row it read under one version once
// Version returns another, or returns false.
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

// apply tells the caches what a write of this process changed.
func (c *changeWatch) apply(w *written) {
	if !w.empty() {
		c.told(w.all, slices.Collect(maps.Keys(w.assignees)))
	}
}

// told moves the version, or tells forget the users, of a change.
func (c *changeWatch) told(all bool, users []string) {
	forget := c.forget.Load()
	if all || forget == nil {
		c.version.Add(1)
		return
	}
	for _, f := range *forget {
		f(users)
	}
}

// logChange appends what w changed to the change log through q: the
// transaction that made the change, so that the row commits with it.
func (db *DB) logChange(ctx context.Context, q querier, w *written) error {
	if w.empty() {
		return nil
	}
	users := ""
	if !w.all {
		users = strings.Join(slices.Sorted(maps.Keys(w.assignees)), " ")
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO changes (origin, everything, users) VALUES ($1, $2, $3)`,
		db.watch.origin, w.all, users); err != nil {
		return fmt.Errorf("log the change: %w", translate(err))
	}
	return nil
}

// PruneChanges drops the change log's rows older than changeKept, by the
// database's clock, which wrote their time.
func (tx *Tx) PruneChanges(ctx context.Context) error {
	now := `CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)`
	if tx.dialect == Postgres {
		now = `(EXTRACT(EPOCH FROM now()) * 1000000)::BIGINT`
	}
	_, err := tx.exec(ctx, `DELETE FROM changes WHERE at < `+now+` - $1`, changeKept.Microseconds())
	return err
}

// close stops the polling and waits for it to end.
func (c *changeWatch) close() {
	c.mu.Lock()
	c.cancel()
	c.mu.Unlock()
	c.wg.Wait()
}

// pollChanges reads the change log every changePoll until nobody asks or
// the DB closes. The first reading of each run moves the version: the
// database may have changed while nobody watched.
func (db *DB) pollChanges() {
	c := db.watch
	defer c.wg.Done()
	defer c.running.Store(false)
	defer c.polledAt.Store(never)
	log := db.changeLog()
	lastGood, lastAll := int64(never), int64(never)
	failures := 0
	t := time.NewTicker(changePoll)
	defer t.Stop()
	for {
		start := c.now()
		rows, err := log(c.stop)
		switch {
		case err != nil:
			if failures++; failures >= changeFailures {
				return // a fresh start next time
			}
		case start-lastGood > int64(changeKept/2) || start-lastAll > int64(changeEvery):
			c.version.Add(1)
			lastGood, lastAll, failures = start, start, 0
			c.polledAt.Store(start)
		default:
			all, users := false, []string(nil)
			for _, r := range rows {
				if r.origin != c.origin {
					all = all || r.all
					users = append(users, r.users...)
				}
			}
			if all || len(users) > 0 {
				c.told(all, users)
			}
			lastGood, failures = start, 0
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

// logged is a row of the change log.
type logged struct {
	origin string
	all    bool
	users  []string
}

// changeLog returns the reading of the change log: each call returns the
// rows committed since the one before, the first none.
func (db *DB) changeLog() func(context.Context) ([]logged, error) {
	if db.dialect == Postgres {
		// The rows whose transactions had not committed in the last
		// reading's snapshot and have in this one's: no row is missed
		// however late its transaction commits, and none is read twice.
		var seen string
		return func(ctx context.Context) ([]logged, error) {
			if seen == "" {
				return nil, db.sql.QueryRowContext(ctx, `SELECT pg_current_snapshot()::text`).Scan(&seen)
			}
			rows, err := db.sql.QueryContext(ctx, `SELECT s::text, c.origin, c.everything, c.users
				FROM pg_current_snapshot() s LEFT JOIN changes c
				ON c.xid >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(c.xid, $1::pg_snapshot)`, seen)
			if err != nil {
				return nil, err
			}
			var out []logged
			var now string
			_, err = collect(rows, func(s scanner) (struct{}, error) {
				var origin, users sql.NullString
				var all sql.NullBool
				err := s.Scan(&now, &origin, &all, &users)
				if err == nil && origin.Valid {
					out = append(out, logged{origin.String, all.Bool, strings.Fields(users.String)})
				}
				return struct{}{}, err
			})
			if err != nil {
				return nil, err
			}
			seen = now
			return out, nil
		}
	}
	// SQLite commits one write at a time, in the order of their seq.
	seq := int64(-1)
	return func(ctx context.Context) ([]logged, error) {
		if seq < 0 {
			return nil, db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM changes`).Scan(&seq)
		}
		rows, err := db.sql.QueryContext(ctx, `SELECT seq, origin, everything, users FROM changes WHERE seq > $1 ORDER BY seq`, seq)
		if err != nil {
			return nil, err
		}
		var out []logged
		last := seq
		_, err = collect(rows, func(s scanner) (struct{}, error) {
			var r logged
			var users string
			err := s.Scan(&last, &r.origin, &r.all, &users)
			r.users = strings.Fields(users)
			out = append(out, r)
			return struct{}{}, err
		})
		if err != nil {
			return nil, err
		}
		seq = last
		return out, nil
	}
}
