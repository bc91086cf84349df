package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestReadyz_SchemaCurrent: /readyz answers 200 only while the database's
// schema is the one this build was made for; a database whose migrations
// are not applied is not ready, with the reason said.
func TestReadyz_SchemaCurrent(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig()}
		s := open(t, cfg)
		readyz := func() (int, string) {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			return rec.Code, rec.Body.String()
		}
		if code, body := readyz(); code != http.StatusOK {
			t.Fatalf("migrated: %d %q", code, body)
		}
		// The newest migration rolled back, as after restoring an older
		// backup: not ready.
		if _, err := s.DB.SQL().Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)`); err != nil {
			t.Fatal(err)
		}
		if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "schema") {
			t.Fatalf("one migration behind: %d %q", code, body)
		}
		// No migrations at all.
		if _, err := s.DB.SQL().Exec(`DROP TABLE goose_db_version`); err != nil {
			t.Fatal(err)
		}
		if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "schema") {
			t.Fatalf("not migrated: %d %q", code, body)
		}
	})
}
