package domain_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// TestGrantExpired checks that access ends at its expiry exactly and that
// access without an expiry never ends (R-PARTNER-2, R-PARTNER-3).
func TestGrantExpired(t *testing.T) {
	tests := []struct {
		name      string
		expiresAt time.Time
		want      bool
	}{
		{"NoExpiry", time.Time{}, false},
		{"EndsLater", now.Add(time.Hour), false},
		{"EndsOneMicrosecondLater", now.Add(time.Microsecond), false},
		{"EndsExactlyNow", now, true},
		{"EndedOneMicrosecondAgo", now.Add(-time.Microsecond), true},
		{"EndedLongAgo", now.Add(-7 * 24 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.GrantExpired(tt.expiresAt, now); got != tt.want {
				t.Errorf("GrantExpired(%v, %v) = %v, want %v", tt.expiresAt, now, got, tt.want)
			}
			a := &domain.Assignment{ExpiresAt: tt.expiresAt}
			if got := a.Expired(now); got != tt.want {
				t.Errorf("Expired = %v, want %v", got, tt.want)
			}
			if got := a.Current(now); got == tt.want {
				t.Errorf("Current = %v, want %v", got, !tt.want)
			}
		})
	}
}
