package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// recorder is a querier that notes every SELECT it runs.
type recorder struct {
	querier
	seen *[]recorded
}

type recorded struct {
	query string
	args  []any
}

func (r recorder) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	*r.seen = append(*r.seen, recorded{query, args})
	return r.querier.QueryContext(ctx, query, args...)
}

// QueryPlans runs fn's reads, then returns the database's plan of each
// query they ran, one text per query, with the query first. On PostgreSQL
// the plans are made with sequential scans and sorts priced out, so that
// a Sort left in a plan means no index can serve the query's order.
func (db *DB) QueryPlans(ctx context.Context, fn func(tx *Tx) error) ([]string, error) {
	var seen []recorded
	if err := fn(&Tx{q: recorder{querier: db.sql, seen: &seen}, dialect: db.dialect, sealer: db.sealer, marks: db.marks}); err != nil {
		return nil, err
	}
	var plans []string
	for _, r := range seen {
		plan, err := db.plan(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("explain %s: %w", r.query, err)
		}
		plans = append(plans, r.query+"\n→ "+plan)
	}
	return plans, nil
}

func (db *DB) plan(ctx context.Context, r recorded) (string, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer func() { _ = tx.Rollback() }()
	explain := "EXPLAIN QUERY PLAN "
	if db.dialect == Postgres {
		explain = "EXPLAIN "
		for _, set := range []string{"SET LOCAL enable_seqscan = off", "SET LOCAL enable_sort = off"} {
			if _, err := tx.ExecContext(ctx, set); err != nil {
				return "", err
			}
		}
	}
	rows, err := tx.QueryContext(ctx, explain+r.query, r.args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	return strings.Join(lines, " | "), rows.Err()
}
