package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// RawCommits is the baseline of the approvals: how many one-row
// transactions per second the database itself commits at concurrency c,
// with the same durability settings, through the same connection pool.
func RawCommits(ctx context.Context, db *sql.DB, c int, d time.Duration) (float64, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS loadtest_commits (n BIGINT NOT NULL, note TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("raw commits: %w", err)
	}
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < d && ctx.Err() == nil {
				tx, err := db.BeginTx(ctx, nil)
				if err == nil {
					if _, err = tx.ExecContext(ctx, `INSERT INTO loadtest_commits (n, note) VALUES ($1, $2)`, n.Load(), "raw commit"); err == nil {
						err = tx.Commit()
					} else {
						_ = tx.Rollback()
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("raw commits: %w", firstErr)
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

// ReportCommits prints the approvals' throughput as a share of the raw
// commit rate at each concurrency (raw: commits per second by
// concurrency).
func ReportCommits(w interface{ Write([]byte) (int, error) }, rs []Result, raw map[int]float64) {
	for _, r := range rs {
		if r.Scenario != "approve" || raw[r.Concurrency] == 0 {
			continue
		}
		fmt.Fprintf(w, "approve at concurrency %d: %.0f/s, %.3f of the database's raw one-row commits (%.0f/s)\n",
			r.Concurrency, r.Throughput, r.Throughput/raw[r.Concurrency], raw[r.Concurrency])
	}
}
