package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/seal"
	"github.com/provisio/provisio/internal/server"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSecrets_SealedAtRest: webhook signing keys are stored sealed, never
// in plain text, and still sign; with a key from the settings every
// stored secret is sealed again with it at start and the key kept in the
// database is dropped (rotation), on both databases.
func TestSecrets_SealedAtRest(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		cfg := server.Config{DatabaseURL: storetest.URL(t, d), App: app.DefaultConfig(), OutboundLoopback: true}
		s := open(t, cfg)
		cust, err := s.App.CreateOrg(ctx, app.System, app.NewOrg{Kind: domain.OrgCustomer, Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		hook, err := s.App.CreateWebhook(ctx, app.System, cust.ID, "http://127.0.0.1:9/hook")
		if err != nil {
			t.Fatal(err)
		}
		stored := func(s *server.Server) string {
			var v string
			if err := s.DB.SQL().QueryRow(`SELECT secret FROM webhooks WHERE id = '` + hook.ID + `'`).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		readBack := func(s *server.Server) string {
			var h *domain.Webhook
			if err := s.DB.Read(ctx, func(tx *store.Tx) (err error) { h, err = tx.Webhook(ctx, domain.Everything, hook.ID); return err }); err != nil {
				t.Fatal(err)
			}
			return h.Secret
		}
		if v := stored(s); !strings.HasPrefix(v, "sealed:v1:db1:") || strings.Contains(v, hook.Secret) {
			t.Fatalf("stored webhook secret %q", v)
		}
		if readBack(s) != hook.Secret {
			t.Fatal("the sealed secret does not read back")
		}
		s.Close()

		// Rotation to a key of the settings.
		_, setting := seal.NewKey("ops2026")
		cfg.SecretKeys = setting
		s2 := open(t, cfg)
		if v := stored(s2); !strings.HasPrefix(v, "sealed:v1:ops2026:") {
			t.Fatalf("after rotation the secret is %q", v)
		}
		if readBack(s2) != hook.Secret {
			t.Fatal("the resealed secret does not read back")
		}
		var left int
		if err := s2.DB.SQL().QueryRow(`SELECT COUNT(*) FROM seal_keys`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("the database still keeps %d keys (%v)", left, err)
		}
	})
}
