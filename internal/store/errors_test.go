package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestErrors_ByCode: constraint violations come back as the store's
// sentinels, recognised by the driver's error code, with the driver's
// error still in the chain for the logs.
func TestErrors_ByCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		write := func(fn func(tx *store.Tx) error) error { return db.Write(ctx, fn) }
		if err := write(func(tx *store.Tx) error { return tx.CreateOrg(ctx, customer("org_a", "Acme")) }); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		user := func(id, orgID string) *domain.User {
			return &domain.User{ID: id, OrgID: orgID, Type: domain.TypeCustomer, Email: "ann@acme.example", Name: "Ann",
				Roles: []domain.Role{domain.RoleCustomerUser}, State: domain.UserActive, CreatedAt: now, UpdatedAt: now}
		}
		if err := write(func(tx *store.Tx) error { return tx.CreateUser(ctx, user("usr_1", "org_a")) }); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			fn   func(tx *store.Tx) error
			want error
		}{
			{"ErrUnique/SameEmail", func(tx *store.Tx) error { return tx.CreateUser(ctx, user("usr_2", "org_a")) }, store.ErrUnique},
			{"ErrUnique/SameID", func(tx *store.Tx) error { return tx.CreateOrg(ctx, customer("org_a", "Acme again")) }, store.ErrUnique},
			{"ErrForeignKey", func(tx *store.Tx) error {
				u := user("usr_3", "org_missing")
				u.Email = "bob@acme.example"
				return tx.CreateUser(ctx, u)
			}, store.ErrForeignKey},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := write(tc.fn)
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
				var pgErr *pgconn.PgError
				var liteErr *sqlite.Error
				if !errors.As(err, &pgErr) && !errors.As(err, &liteErr) {
					t.Fatalf("the driver's error is not in the chain of %q", err)
				}
			})
		}
	})
}
