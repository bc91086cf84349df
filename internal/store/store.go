// Package store keeps Provisio's data in SQLite or PostgreSQL behind one
// API. SQL is written once, with $N placeholders, and runs on both; the
// few differences live in the per-dialect migrations and in errors.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/seal"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database.
type DB struct {
	sql     *sql.DB
	pool    *pgxpool.Pool // PostgreSQL only; River's driver wants it
	dialect Dialect
	path    string // SQLite file path
	sealer  *seal.Sealer
	marks   *pageMarks   // where the pages of long lists begin (sitemembers.go)
	watch   *changeWatch // when the data last changed, for caches (changes.go)
	// checkpoints copies SQLite's log back into its file (checkpoint.go).
	checkpoints *checkpointer
	uncached    atomic.Pointer[map[string]bool] // the tables no cache reads (written.go)
	// statements counts the statements run through Read and Write.
	statements atomic.Uint64
}

// Statements is how many SQL statements db has run in Read and Write, for
// tests that show a use case's reads do not grow with its rows.
func (db *DB) Statements() uint64 { return db.statements.Load() }

// noted is the querier of a Tx: it counts every statement it runs
// (Statements) and first notes it in w, for the caches (written.go).
type noted struct {
	querier
	n *atomic.Uint64
	w *written
}

func (q noted) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q.n.Add(1)
	q.w.note(query)
	return q.querier.ExecContext(ctx, query, args...)
}

func (q noted) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q.n.Add(1)
	q.w.note(query)
	return q.querier.QueryContext(ctx, query, args...)
}

func (q noted) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	q.n.Add(1)
	q.w.note(query)
	return q.querier.QueryRowContext(ctx, query, args...)
}

// newTx is a unit of work whose statements run on q: sqlTx's in a Write,
// the pool's in a Read.
func (db *DB) newTx(q querier, sqlTx *sql.Tx, uncached map[string]bool) *Tx {
	tx := &Tx{sqlTx: sqlTx, dialect: db.dialect, sealer: db.sealer, marks: db.marks, written: written{uncached: uncached}}
	tx.q = noted{q, &db.statements, &tx.written}
	return tx
}

// SetSealer makes db seal the secrets it stores (webhook keys, OIDC client
// secrets, TOTP secrets) and open them as it reads them.
func (db *DB) SetSealer(s *seal.Sealer) { db.sealer = s }

// Open connects to url: a postgres:// or postgresql:// URL selects
// PostgreSQL; anything else is a SQLite file path (a "sqlite:" or "file:"
// prefix is allowed).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		// database/sql's idle connections hold pgx's: leave it its default
		// of two, so that River, which takes pgx's pool directly, always finds
		// one; an idle pgx connection costs nothing to take again.
		return &DB{sql: stdlib.OpenDBFromPool(pool), pool: pool, dialect: Postgres, marks: newPageMarks(), watch: newChangeWatch()}, nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)",
		"wal_autocheckpoint(0)", "journal_size_limit(67108864)"} { // checkpoints in the background (checkpoint.go)
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	conn, err := newStmtConnector("file:" + path + "?" + q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db := sql.OpenDB(conn)
	// Keep the connections open: opening one runs the pragmas and reads the
	// schema again, which cost more than the queries of an access check.
	// (Their number is not capped: a use case may read outside its write
	// transaction, and a cap would let concurrent ones wait on each other.)
	db.SetMaxIdleConns(max(8, 2*runtime.GOMAXPROCS(0)))
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	d := &DB{sql: db, dialect: SQLite, path: path, marks: newPageMarks(), watch: newChangeWatch()}
	d.checkpoints = d.startCheckpoints()
	return d, nil
}

// Close releases the connections.
func (db *DB) Close() error {
	db.watch.close()
	db.checkpoints.close()
	err := db.sql.Close()
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// Dialect tells which engine db runs on.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL exposes the underlying pool, for health checks and tests.
func (db *DB) SQL() *sql.DB { return db.sql }

// Pool is the pgx pool on PostgreSQL, nil on SQLite.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a unit of work. Everything a use case writes, including its audit
// entry and notices, goes through one Tx and commits together.
type Tx struct {
	q       querier
	sqlTx   *sql.Tx // the transaction of Write; nil in Read
	dialect Dialect
	sealer  *seal.Sealer // nil: secrets are stored as they are (tests of the store alone)
	marks   *pageMarks
	changed changes
	written written // what a cache must forget once the transaction ends
}

// changes are the sites and users whose access a write transaction may
// have changed, for the work that follows it (directory accounts, R-APP-3).
type changes struct{ sites, users map[string]bool }

func (tx *Tx) touch(siteID, userID string) {
	add := func(m *map[string]bool, id string) {
		if id == "" {
			return
		}
		if *m == nil {
			*m = map[string]bool{}
		}
		(*m)[id] = true
	}
	add(&tx.changed.sites, siteID)
	add(&tx.changed.users, userID)
}

// SQLTx is the database/sql transaction of a Write, for a library that
// must write in the same transaction (the job queue); nil in a Read.
func (tx *Tx) SQLTx() *sql.Tx { return tx.sqlTx }

// Changed lists the sites whose state or assignments, and the users whose
// record or assignments, this transaction changed.
func (tx *Tx) Changed() (sites, users []string) {
	return slices.Sorted(maps.Keys(tx.changed.sites)), slices.Sorted(maps.Keys(tx.changed.users))
}

// Write runs fn in a transaction and commits it when fn returns nil. Any
// error, or a panic, rolls everything back.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) (err error) {
	// Read before the transaction takes its connection: the pool may
	// have no other.
	uncached := db.uncachedTables(ctx)
	sqlTx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", translate(err))
	}
	tx := db.newTx(sqlTx, sqlTx, uncached)
	// Told once it ends, committed or not: a cache that read before then
	// forgets what it read (changes.go).
	defer func() { db.watch.apply(&tx.written) }()
	// Rollback is a no-op once Commit has run (sql.ErrTxDone); deferring it
	// unconditionally also ends the transaction when fn panics.
	defer func() {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) && err != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = db.logChange(ctx, sqlTx, &tx.written); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

// Read runs fn without a write transaction, for use cases that only read.
// A write it runs all the same is told to caches like Write's.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	// A read unit does not write: it takes the tables only if a Write
	// has read them, and without them any write counts as anything.
	tx := db.newTx(db.sql, nil, db.uncachedRead())
	err := fn(tx)
	if !tx.written.empty() {
		err = errors.Join(err, db.logChange(ctx, db.sql, &tx.written))
		db.watch.apply(&tx.written)
	}
	return err
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := tx.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// execOne runs a statement that must change a row; ErrNotFound when it
// changed none.
func (tx *Tx) execOne(ctx context.Context, query string, args ...any) error {
	n, err := tx.exec(ctx, query, args...)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// ts converts t to the stored form: microseconds since the epoch, or NULL
// for the zero time. Integers compare and index the same on both engines.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// nullTime scans a stored timestamp.
type nullTime struct{ t *time.Time }

func (n nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.t = time.Time{}
	case int64:
		*n.t = time.UnixMicro(x).UTC()
	default:
		return fmt.Errorf("timestamp: unexpected %T", v)
	}
	return nil
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// pageClause bounds a query to one page: items after the cursor, one more
// than asked so that trimPage can tell whether another page follows.
func pageClause(where []string, args []any, col string, p domain.Page) ([]string, []any, string) {
	p = p.Normalize()
	if p.Cursor != "" {
		args = append(args, p.Cursor)
		where = append(where, fmt.Sprintf("%s > $%d", col, len(args)))
	}
	args = append(args, p.Limit+1)
	return where, args, fmt.Sprintf(" ORDER BY %s LIMIT $%d", col, len(args))
}

// listPage runs a list query: the rows of from (a table, with its alias)
// that match where, in col order after the page's cursor, and, when the
// page asks, how many match in all.
func listPage[T any](ctx context.Context, tx *Tx, cols, from string, where []string, args []any, col string, p domain.Page,
	scan func(scanner) (T, error), id func(T) string) (domain.List[T], error) {
	total := 0
	if p.Count {
		if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from+whereSQL(where), args...).Scan(&total); err != nil {
			return domain.List[T]{}, translate(err)
		}
	}
	where, args, tail := pageClause(where, args, col, p)
	rows, err := tx.q.QueryContext(ctx, `SELECT `+cols+` FROM `+from+whereSQL(where)+tail, args...)
	if err != nil {
		return domain.List[T]{}, translate(err)
	}
	items, err := collect(rows, scan)
	l := trimPage(items, p, id)
	l.Total = total
	return l, err
}

// trimPage cuts the extra item that pageClause asked for and returns the
// cursor of the next page ("" on the last page).
func trimPage[T any](items []T, p domain.Page, id func(T) string) domain.List[T] {
	p = p.Normalize()
	if len(items) > p.Limit {
		items = items[:p.Limit]
		return domain.List[T]{Items: items, NextCursor: id(items[len(items)-1])}
	}
	return domain.List[T]{Items: items}
}

func whereSQL(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// searched adds the condition that one of cols (lower-case text) holds
// search, case-insensitively and literally; nil or "" adds nothing.
func searched(where []string, args []any, search *string, cols ...string) ([]string, []any) {
	if search == nil || *search == "" {
		return where, args
	}
	args = append(args, "%"+likeLiteral(strings.ToLower(*search))+"%")
	var or []string
	for _, c := range cols {
		or = append(or, fmt.Sprintf(`%s LIKE $%d ESCAPE '\'`, c, len(args)))
	}
	return append(where, "("+strings.Join(or, " OR ")+")"), args
}

// likeLiteral escapes s for a LIKE pattern with ESCAPE '\', so that the
// caller's text matches only itself: "%" and "_" are not wildcards there.
func likeLiteral(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
