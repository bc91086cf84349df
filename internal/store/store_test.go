package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

func customer(id, name string) *domain.Org {
	return &domain.Org{ID: id, Kind: domain.OrgCustomer, Name: name, CreatedAt: time.Now()}
}

// TestWrite_PanicRollsBack: a panic inside Write rolls the transaction
// back. Left open, it would hold SQLite's write lock, and on PostgreSQL
// keep its connection and its uncommitted row, so the next write of the
// same key would wait for it.
func TestWrite_PanicRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the panic did not reach the caller")
				}
			}()
			_ = db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.CreateOrg(ctx, customer("org_panic", "Panicked")); err != nil {
					t.Errorf("create in the panicking write: %v", err)
				}
				panic("boom")
			})
		}()
		if n := db.SQL().Stats().InUse; n != 0 {
			t.Errorf("%d connections still in use after the panic", n)
		}
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if err := db.Write(wctx, func(tx *store.Tx) error { return tx.CreateOrg(wctx, customer("org_panic", "After")) }); err != nil {
			t.Fatalf("write after the panic: %v", err)
		}
		var o *domain.Org
		if err := db.Read(ctx, func(tx *store.Tx) (err error) { o, err = tx.Org(ctx, domain.Everything, "org_panic"); return err }); err != nil {
			t.Fatal(err)
		}
		if o.Name != "After" {
			t.Fatalf("the panicked write is visible: %+v", o)
		}
	})
}
