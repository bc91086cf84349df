package store_test

import (
	"os"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSQLiteCheckpoints_InTheBackground: no commit copies SQLite's log back
// into the database file (wal_autocheckpoint is off, so the sweep's and
// the requests' commits never pay for it); the store does it in the
// background shortly after the commits (checkpoint.go).
func TestSQLiteCheckpoints_InTheBackground(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var auto int
	if err := db.SQL().QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("wal_autocheckpoint = %d (%v), want 0: commits would checkpoint", auto, err)
	}
	var seq int
	var name, path string
	if err := db.SQL().QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &path); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if _, err := db.SQL().Exec(`CREATE TABLE filler (x BLOB)`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the table's own checkpoint
	before := size()
	const n, each = 2000, 1000 // 2 MB: twice the default automatic checkpoint's 1000 pages
	if _, err := db.SQL().Exec(`WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < $1)
		INSERT INTO filler SELECT randomblob($2) FROM i`, n, each); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); size() < before+n*each; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("the database file is %d bytes 5s after the commit of %d more: nothing checkpointed the log", size(), n*each)
		}
	}
}
