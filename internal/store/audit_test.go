package store_test

import (
	"fmt"
	"testing"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestAppendAudits_ChainAcrossBatches: entries appended together in one
// transaction (the head moves once for all of them) and one by one in
// others form one unbroken chain, numbered in order, each carrying the
// hash of the one before (issue 15: a change's entries are written at its
// end). R-AUDIT-1
func TestAppendAudits_ChainAcrossBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newExpiryWorld(t, db)
		entry := func(i int) *domain.AuditEntry {
			return &domain.AuditEntry{At: now, Action: "test.entry", ObjectType: "test", ObjectID: fmt.Sprint(i), OrgID: w.customer}
		}
		w.write(t, func(tx *store.Tx) error { return tx.AppendAudits(w.ctx, []*domain.AuditEntry{entry(0)}) })
		batch := []*domain.AuditEntry{entry(1), entry(2), entry(3)}
		w.write(t, func(tx *store.Tx) error { return tx.AppendAudits(w.ctx, batch) })
		w.write(t, func(tx *store.Tx) error { return tx.AppendAudits(w.ctx, nil) }) // nothing to add
		w.write(t, func(tx *store.Tx) error { return tx.AppendAudits(w.ctx, []*domain.AuditEntry{entry(4)}) })

		es := mustRead(t, db, func(tx *store.Tx) ([]*domain.AuditEntry, error) {
			return tx.Audit(w.ctx, domain.AuditFilter{Limit: 100})
		})
		var mine []*domain.AuditEntry
		for _, e := range es {
			if e.Action == "test.entry" {
				mine = append(mine, e)
			}
		}
		if len(mine) != 5 {
			t.Fatalf("%d entries, want 5", len(mine))
		}
		for i, e := range mine {
			if e.ObjectID != fmt.Sprint(i) {
				t.Errorf("entry %d is object %s: out of order", i, e.ObjectID)
			}
			if i > 0 && (e.Seq != mine[i-1].Seq+1 || e.PrevHash != mine[i-1].Hash) {
				t.Errorf("entry %d (seq %d) does not follow seq %d", i, e.Seq, mine[i-1].Seq)
			}
		}
		v := mustRead(t, db, func(tx *store.Tx) (domain.AuditVerdict, error) { return tx.VerifyAudit(w.ctx) })
		if !v.Intact {
			t.Errorf("verdict %+v", v)
		}
	})
}
