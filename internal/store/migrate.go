package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the schema up to date: Provisio's own migrations, then
// River's. On PostgreSQL a session lock lets replicas start together.
func (db *DB) Migrate(ctx context.Context) error {
	defer db.uncached.Store(nil) // the tables may have changed (written.go)
	p, err := db.migrations(true)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	if db.dialect == Postgres {
		m, err := rivermigrate.New(riverpgxv5.New(db.pool), nil)
		if err != nil {
			return fmt.Errorf("river migrations: %w", err)
		}
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		return wrapRiver(err)
	}
	m, err := rivermigrate.New(riversqlite.New(db.sql), nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return wrapRiver(err)
}

// migrations is the goose provider of Provisio's embedded migrations for
// db's dialect. locked takes PostgreSQL's session lock while migrating.
func (db *DB) migrations(locked bool) (*goose.Provider, error) {
	dir := "migrations/sqlite"
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		if locked {
			locker, err := lock.NewPostgresSessionLocker()
			if err != nil {
				return nil, fmt.Errorf("migration lock: %w", err)
			}
			opts = append(opts, goose.WithSessionLocker(locker))
		}
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.sql, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

func wrapRiver(err error) error {
	if err != nil {
		return fmt.Errorf("apply river migrations: %w", err)
	}
	return nil
}

// SchemaVersion is the newest applied Provisio migration.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version`).Scan(&v)
	return v, translate(err)
}

// ErrSchemaNotCurrent means the database's schema is not the one this
// build was made for: migrations are missing, or newer ones were applied.
var ErrSchemaNotCurrent = errors.New("database schema is not current")

// CheckSchema reports whether the newest applied migration, Provisio's and
// River's, is the newest this build embeds. It only reads: an un-migrated
// database is left as it is. It fails with ErrSchemaNotCurrent, naming
// both versions, or with the error that kept it from reading them.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.migrations(false)
	if err != nil {
		return err
	}
	sources := p.ListSources()
	if len(sources) == 0 {
		return errors.New("check schema: no migrations embedded")
	}
	want := sources[len(sources)-1].Version
	var have int64
	if ok, err := db.tableExists(ctx, "goose_db_version"); err != nil {
		return fmt.Errorf("check schema: %w", err)
	} else if ok {
		if have, err = db.SchemaVersion(ctx); err != nil {
			return fmt.Errorf("check schema: %w", err)
		}
	}
	if have != want {
		return fmt.Errorf("%w: Provisio migration %d applied, this build needs %d", ErrSchemaNotCurrent, have, want)
	}
	var riverHave, riverWant int
	if db.dialect == Postgres {
		m, err := rivermigrate.New(riverpgxv5.New(db.pool), nil)
		if err != nil {
			return fmt.Errorf("check schema: river migrations: %w", err)
		}
		riverHave, riverWant, err = riverVersions(ctx, m)
		if err != nil {
			return err
		}
	} else {
		m, err := rivermigrate.New(riversqlite.New(db.sql), nil)
		if err != nil {
			return fmt.Errorf("check schema: river migrations: %w", err)
		}
		riverHave, riverWant, err = riverVersions(ctx, m)
		if err != nil {
			return err
		}
	}
	if riverHave != riverWant {
		return fmt.Errorf("%w: River migration %d applied, this build needs %d", ErrSchemaNotCurrent, riverHave, riverWant)
	}
	return nil
}

// riverVersions returns the newest applied and the newest known River
// migration.
func riverVersions[TTx any](ctx context.Context, m *rivermigrate.Migrator[TTx]) (have, want int, err error) {
	all := m.AllVersions()
	if len(all) > 0 {
		want = all[len(all)-1].Version
	}
	applied, err := m.ExistingVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("check schema: river migrations: %w", err)
	}
	if len(applied) > 0 {
		have = applied[len(applied)-1].Version
	}
	return have, want, nil
}

// tableExists reports whether the table name exists in the database.
func (db *DB) tableExists(ctx context.Context, name string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	if db.dialect == Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		return false, fmt.Errorf("look for table %s: %w", name, err)
	}
	return n > 0, nil
}

// MigrationsDigest identifies this build's migrations (Provisio's own, by
// content, and River's, by the module's version in the build), so that a
// database migrated once can stand in for any other migrated by the same
// build: the tests clone one (storetest).
func MigrationsDigest() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if strings.HasPrefix(m.Path, "github.com/riverqueue/river") {
				h.Write([]byte(m.Path + "@" + m.Version))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
