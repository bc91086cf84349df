package app_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestIdempotencyKey_StaleClaimTakenOver: a claim whose request never
// completed (its process died) is a lease: while it is fresh a retry hears
// "still running", and once it is older than the lease the retry of the
// same request takes it over and runs. Another request still may not.
func TestIdempotencyKey_StaleClaimTakenOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, c := newApp(t, db)
		ctx := t.Context()
		claim := func(request string) (bool, int) {
			t.Helper()
			first, replay, err := a.ClaimIdempotencyKey(ctx, "auth:caller", "k-1", request)
			if err != nil {
				t.Fatal(err)
			}
			if first {
				return true, 0
			}
			return false, replay.Status
		}
		if first, _ := claim("POST /users"); !first {
			t.Fatal("the first claim was refused")
		}
		c.Add(a.Config().IdempotencyLease - time.Second)
		if first, status := claim("POST /users"); first || status != 0 {
			t.Fatalf("a fresh claim was taken over: first %v, status %d", first, status)
		}
		c.Add(2 * time.Second)
		if first, _ := claim("POST /other"); first {
			t.Fatal("a stale claim was taken over by another request")
		}
		if first, _ := claim("POST /users"); !first {
			t.Fatal("the stale claim was not taken over")
		}
		if first, status := claim("POST /users"); first || status != 0 {
			t.Fatalf("the taken-over claim is not running: first %v, status %d", first, status)
		}
		if err := a.CompleteIdempotencyKey(ctx, "auth:caller", "k-1", 201, "application/json", `{"ok":true}`); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Hour)
		if first, status := claim("POST /users"); first || status != 201 {
			t.Fatalf("a completed key was claimed again: first %v, status %d", first, status)
		}
	})
}
