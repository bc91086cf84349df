package domain_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// TestNewID_SortsByCreation: ids made in the same millisecond, or later,
// sort in the order they were made, so cursor pages are stable.
func TestNewID_SortsByCreation(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	prev := domain.NewID("x", at)
	for i := range 2000 {
		next := domain.NewID("x", at.Add(time.Duration(i/500)*time.Millisecond))
		if next <= prev || len(next) != 28 {
			t.Fatalf("id %d: %s after %s", i, next, prev)
		}
		prev = next
	}
}
