package domain_test

import (
	"testing"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// TestAccessRequest_Lapsed checks that a pending request nobody answered
// lapses at its answer time exactly and then counts as expired, swept or
// not, while an answered request keeps its state (R-PARTNER-4).
func TestAccessRequest_Lapsed(t *testing.T) {
	tests := []struct {
		name      string
		state     domain.RequestState
		expiresAt time.Time
		lapsed    bool
		effective domain.RequestState
	}{
		{"PendingWaiting", domain.RequestPending, now.Add(time.Hour), false, domain.RequestPending},
		{"PendingOneMicrosecondLeft", domain.RequestPending, now.Add(time.Microsecond), false, domain.RequestPending},
		{"PendingDueExactlyNow", domain.RequestPending, now, true, domain.RequestExpired},
		{"PendingDueOneMicrosecondAgo", domain.RequestPending, now.Add(-time.Microsecond), true, domain.RequestExpired},
		{"ApprovedAfterItsAnswerTime", domain.RequestApproved, now.Add(-time.Hour), false, domain.RequestApproved},
		{"DeniedAfterItsAnswerTime", domain.RequestDenied, now.Add(-time.Hour), false, domain.RequestDenied},
		{"WithdrawnAfterItsAnswerTime", domain.RequestWithdrawn, now.Add(-time.Hour), false, domain.RequestWithdrawn},
		{"SweptExpired", domain.RequestExpired, now.Add(-time.Hour), false, domain.RequestExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &domain.AccessRequest{State: tt.state, ExpiresAt: tt.expiresAt}
			if got := r.Lapsed(now); got != tt.lapsed {
				t.Errorf("Lapsed = %v, want %v", got, tt.lapsed)
			}
			if got := r.EffectiveState(now); got != tt.effective {
				t.Errorf("EffectiveState = %s, want %s", got, tt.effective)
			}
			if r.State != tt.state {
				t.Errorf("State changed to %s", r.State)
			}
		})
	}
}
