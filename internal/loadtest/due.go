package loadtest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/store"
)

// SeedDueGrants adds n active users of partnerID, each with a partner
// grant to siteID that ended a minute before now, straight through the
// store in transactions of a thousand, as if the server had been down
// when they ran out: work waiting for the sweep.
func SeedDueGrants(ctx context.Context, db *store.DB, siteID, partnerID string, n int, now time.Time) error {
	for start := 0; start < n; start += 1000 {
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := start; i < min(n, start+1000); i++ {
				u := &domain.User{ID: domain.NewID("usr", now), OrgID: partnerID, Type: domain.TypePartner, Name: fmt.Sprint("Due agent ", i),
					Roles: []domain.Role{domain.RolePartnerAgent}, State: domain.UserActive, CreatedAt: now, UpdatedAt: now}
				u.Email = strings.ToLower(u.ID) + "@partner.example"
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				if err := tx.CreateAssignment(ctx, &domain.Assignment{ID: domain.NewID("asg", now), SiteID: siteID, UserID: u.ID,
					Role: domain.RolePartnerAgent, Via: domain.ViaPartner, ExpiresAt: now.Add(-time.Minute), CreatedAt: now.Add(-time.Hour)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed due grants: %w", err)
		}
	}
	return nil
}
