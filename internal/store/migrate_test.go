package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestCheckSchema: a fresh database is not at the schema this build needs,
// a migrated one is, and one missing River's newest migration is not.
func TestCheckSchema(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db, err := store.Open(ctx, storetest.URL(t, d))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaNotCurrent) {
			t.Fatalf("fresh database: %v", err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatalf("migrated database: %v", err)
		}
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM river_migration WHERE version = (SELECT MAX(version) FROM river_migration)`); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaNotCurrent) {
			t.Fatalf("River one migration behind: %v", err)
		}
	})
}
