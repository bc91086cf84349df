package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// SQLite connections keep the statements they ran (stmtcache.go). A query
// asked again while rows of the same text are still open must get its own
// rows, not reset the first's; rows of a cancelled query must free their
// statement; a statement dropped past the bound must still run. (What the
// cache saves shows in BenchmarkSweepExpiry and the load command.)
func TestSQLiteStatements_NestedAndMany(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const q = `SELECT value FROM json_each('[1,2,3]') ORDER BY value`
	outer, err := conn.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var pairs int
	for outer.Next() {
		var a int
		if err := outer.Scan(&a); err != nil {
			t.Fatal(err)
		}
		inner, err := conn.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var seen []int
		for inner.Next() {
			var b int
			if err := inner.Scan(&b); err != nil {
				t.Fatal(err)
			}
			seen = append(seen, b)
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 3 {
			t.Fatalf("inner rows while the outer were at %d: %v, want 1, 2, 3", a, seen)
		}
		if pairs++; pairs > 3 {
			t.Fatal("the outer rows start again: the inner query reset them")
		}
	}
	if err := outer.Err(); err != nil || pairs != 3 {
		t.Fatalf("outer rows: %d of 3, err %v", pairs, err)
	}
	outer.Close()
	// Rows left by a cancelled query free their statement for the next.
	cctx, cancel := context.WithCancel(ctx)
	rows, err := conn.QueryContext(cctx, q)
	if err != nil || !rows.Next() {
		t.Fatalf("query to cancel: %v", err)
	}
	cancel()
	rows.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+q+`)`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("after a cancelled query: %d rows, err %v", n, err)
	}
	again, err := conn.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	n = 0
	for again.Next() {
		n++
	}
	if again.Close(); n != 3 {
		t.Fatalf("the same text after a cancelled query: %d rows, want 3", n)
	}
	// More texts than one connection keeps: each still answers rightly.
	for i := range 600 {
		var got int
		if err := conn.QueryRowContext(ctx, `SELECT `+strconv.Itoa(i)+` + ?`, 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("query %d: got %d, err %v", i, got, err)
		}
	}
	// An error in the text is reported, not hidden by the cache.
	if _, err := conn.ExecContext(ctx, `UPDATE no_such_table SET x = 1`); err == nil {
		t.Fatal("a statement on a missing table ran without error")
	}
}
