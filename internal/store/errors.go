package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/provisio/provisio/internal/domain"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Sentinel errors that hide the driver's own: domain's, so that callers
// that know the store only by an interface can test for them.
var (
	ErrNotFound   = domain.ErrNotFound
	ErrUnique     = domain.ErrUnique
	ErrForeignKey = domain.ErrForeignKey
)

// PostgreSQL's SQLSTATE codes for constraint violations.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

// translate maps driver errors onto the sentinels by the driver's error
// code, never by its message. The driver's error stays wrapped for the
// logs.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var sentinel error
	var pgErr *pgconn.PgError
	var liteErr *sqlite.Error
	switch {
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case pgUniqueViolation:
			sentinel = ErrUnique
		case pgForeignKeyViolation:
			sentinel = ErrForeignKey
		}
	case errors.As(err, &liteErr):
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			sentinel = ErrUnique
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			sentinel = ErrForeignKey
		}
	}
	if sentinel == nil {
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
