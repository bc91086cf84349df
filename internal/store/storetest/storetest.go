// Package storetest opens migrated databases for tests: a SQLite file
// always, and a fresh PostgreSQL database whenever
// PROVISIO_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/provisio/provisio/internal/store"
)

// Dialect and its values are the store's, named here so that tests of the
// HTTP surfaces choose a database without importing the store.
type Dialect = store.Dialect

// The dialects tests run on.
const (
	SQLite   = store.SQLite
	Postgres = store.Postgres
)

// EnvPostgres names the variable holding the PostgreSQL server URL.
const EnvPostgres = "PROVISIO_TEST_POSTGRES_URL"

// Dialects lists the databases this run tests on.
func Dialects() []store.Dialect {
	if os.Getenv(EnvPostgres) != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// Each runs fn as a subtest on every database of this run, each with a
// fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	EachDialect(t, func(t *testing.T, d store.Dialect) { fn(t, Open(t, d)) })
}

// EachDialect runs fn as a subtest per database of this run, for tests
// that open the database themselves (through the server, say).
func EachDialect(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

// Open returns a fresh, migrated database of dialect d, removed when the
// test ends.
func Open(tb testing.TB, d store.Dialect) *store.DB {
	tb.Helper()
	dsn, migrated := migratedURL(tb, d)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", d, err)
	}
	tb.Cleanup(func() { db.Close() })
	opened.Store(db, dsn)
	tb.Cleanup(func() { opened.Delete(db) })
	if !migrated {
		if err := db.Migrate(context.Background()); err != nil {
			tb.Fatalf("migrate %s: %v", d, err)
		}
	}
	return db
}

// opened maps each database Open returned to its address, for Again.
var opened sync.Map

// Again opens a second connection pool on the database db, as another
// replica of the server would: it shares nothing in memory with db.
func Again(tb testing.TB, db *store.DB) *store.DB {
	tb.Helper()
	dsn, ok := opened.Load(db)
	if !ok {
		tb.Fatalf("storetest.Again: the database was not opened by storetest.Open")
	}
	again, err := store.Open(context.Background(), dsn.(string))
	if err != nil {
		tb.Fatalf("open again: %v", err)
	}
	tb.Cleanup(func() { again.Close() })
	return again
}

// URL returns the address of a fresh, empty database of dialect d that is
// dropped when the test ends.
func URL(tb testing.TB, d store.Dialect) string {
	tb.Helper()
	if d == store.SQLite {
		return tb.TempDir() + "/provisio.db"
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Skipf("%s is not set", EnvPostgres)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "provisio_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", EnvPostgres, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	dropAtEnd(tb, base, name)
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String()
}

// template is the name of a PostgreSQL database migrated by this build,
// made once (per set of migrations) and cloned for each test: migrating
// takes longer than copying.
var template struct {
	once sync.Once
	name string
	err  error
}

// advisory locks serialising the template's making and its copying across
// the test processes of one run (a template being copied must have no
// other session).
const makeLock, copyLock = 72_410_001, 72_410_002

func migratedTemplate(ctx context.Context, base string) (string, error) {
	template.once.Do(func() {
		template.name = "provisio_tmpl_" + store.MigrationsDigest()
		template.err = func() error {
			admin, err := pgx.Connect(ctx, base)
			if err != nil {
				return err
			}
			defer admin.Close(ctx)
			if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", makeLock); err != nil {
				return err
			}
			defer admin.Exec(ctx, "SELECT pg_advisory_unlock($1)", makeLock) //nolint:errcheck
			var n int
			if err := admin.QueryRow(ctx, "SELECT COUNT(*) FROM pg_database WHERE datname = $1", template.name).Scan(&n); err != nil || n == 1 {
				return err
			}
			building := template.name + "_new"
			if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
				return err
			}
			if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
				return err
			}
			db, err := store.Open(ctx, withDB(base, building))
			if err != nil {
				return err
			}
			err = db.Migrate(ctx)
			db.Close()
			if err != nil {
				return err
			}
			// Published by its name only once complete.
			_, err = admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+template.name)
			return err
		}()
	})
	return template.name, template.err
}

func withDB(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

// migratedURL is URL's database already migrated: on PostgreSQL a copy of
// the template.
func migratedURL(tb testing.TB, d store.Dialect) (dsn string, migrated bool) {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if d != store.Postgres || base == "" {
		return URL(tb, d), false
	}
	ctx := context.Background()
	tmpl, err := migratedTemplate(ctx, base)
	if err != nil {
		tb.Logf("no migrated template (%v): migrating this database", err)
		return URL(tb, d), false
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "provisio_test_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", EnvPostgres, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", copyLock); err != nil {
		tb.Fatal(err)
	}
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
	_, _ = admin.Exec(ctx, "SELECT pg_advisory_unlock($1)", copyLock)
	if err != nil {
		tb.Fatalf("copy the template: %v", err)
	}
	dropAtEnd(tb, base, name)
	return withDB(base, name), true
}

// dropAtEnd drops the test's database when the test ends.
func dropAtEnd(tb testing.TB, base, name string) {
	tb.Cleanup(func() {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
}
