package api_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/api"
	"github.com/provisio/provisio/internal/store/storetest"
)

// flushRecorder records the body's length at each flush.
type flushRecorder struct {
	*httptest.ResponseRecorder
	flushedAt []int
}

func (f *flushRecorder) Flush() {
	f.flushedAt = append(f.flushedAt, f.Body.Len())
	f.ResponseRecorder.Flush()
}

// TestAuditExport_Streams: the export holds every entry of the log across
// many store pages, in order, in both formats, and goes out to the client
// page by page as it is read rather than as one body at the end.
func TestAuditExport_Streams(t *testing.T) {
	defer func(n int) { *api.ExportPage = n }(*api.ExportPage)
	*api.ExportPage = 4
	storetest.EachDialect(t, func(t *testing.T, d storetest.Dialect) {
		e := newEnv(t, d)
		var total int
		if err := e.srv.DB.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if total <= 3**api.ExportPage {
			t.Fatalf("only %d entries: too few to span pages", total)
		}
		export := func(format string) *flushRecorder {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/audit/export?format="+format, nil)
			req.Header.Set("Authorization", "Bearer "+e.tok["op"])
			rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
			e.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s export: %d %s", format, rec.Code, rec.Body)
			}
			pages := (total + *api.ExportPage - 1) / *api.ExportPage
			if len(rec.flushedAt) < pages || rec.flushedAt[0] == 0 || rec.flushedAt[0] >= rec.Body.Len() {
				t.Errorf("%s export of %d bytes over %d pages flushed at %v", format, rec.Body.Len(), pages, rec.flushedAt)
			}
			return rec
		}
		ordered := func(format string, seqs []int64) {
			t.Helper()
			if len(seqs) != total {
				t.Fatalf("%s export has %d entries, the log %d", format, len(seqs), total)
			}
			for i := 1; i < len(seqs); i++ {
				if seqs[i] <= seqs[i-1] {
					t.Fatalf("%s export out of order at %d: %v", format, i, seqs)
				}
			}
		}

		rec := export("csv")
		if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("csv content type %q", ct)
		}
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "seq,at,actor_id,actor_org_id,org_id,action,object_type,object_id,before,after,remote_addr,prev_hash,hash" {
			t.Fatalf("csv header %v", rows[0])
		}
		var seqs []int64
		for _, r := range rows[1:] {
			n, err := strconv.ParseInt(r[0], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, n)
		}
		ordered("csv", seqs)

		rec = export("json")
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("json content type %q", ct)
		}
		if !strings.HasPrefix(rec.Body.String(), "[{") || !strings.HasSuffix(rec.Body.String(), "}]\n") {
			t.Fatalf("json export is not one array: %.40q…", rec.Body.String())
		}
		var entries []struct {
			Seq int64 `json:"seq"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &entries); err != nil {
			t.Fatal(err)
		}
		seqs = seqs[:0]
		for _, en := range entries {
			seqs = append(seqs, en.Seq)
		}
		ordered("json", seqs)
	})
}
