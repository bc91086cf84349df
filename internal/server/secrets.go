package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/provisio/provisio/internal/seal"
	"github.com/provisio/provisio/internal/store"
)

// sealSecrets gives db its sealer and seals every stored secret with the
// current key. With keys from the settings, the first seals and all open
// (rotation: add the new key first, restart every replica, then drop the
// old one); a key left in the database from a zero-setup start still
// opens, and is dropped once nothing needs it. Without keys, a key kept
// in the database seals: it protects a copy of the secrets' tables, not a
// copy of the whole database.
func sealSecrets(ctx context.Context, db *store.DB, setting string, log *slog.Logger) error {
	keys, err := seal.ParseKeys(setting)
	if err != nil {
		return fmt.Errorf("--secrets-keys: %w", err)
	}
	var dbKey seal.Key
	var hasDB bool
	err = db.Write(ctx, func(tx *store.Tx) (err error) {
		if len(keys) == 0 {
			dbKey, err = tx.StoredSealKey(ctx, time.Now())
			hasDB = err == nil
			return err
		}
		dbKey, hasDB, err = tx.DatabaseSealKey(ctx)
		return err
	})
	if err != nil {
		return err
	}
	all := keys
	if hasDB {
		all = append(all, dbKey)
	}
	sealer, err := seal.New(all...)
	if err != nil {
		return fmt.Errorf("--secrets-keys: %w", err)
	}
	db.SetSealer(sealer)
	var resealed int
	err = db.Write(ctx, func(tx *store.Tx) (err error) {
		// Once everything is sealed with the current key, a start with the
		// same key has nothing to read: new secrets are sealed as stored.
		last, err := tx.ResealedWith(ctx)
		if err != nil {
			return err
		}
		if last != sealer.CurrentID() {
			if resealed, err = tx.Reseal(ctx); err != nil {
				return err
			}
			if err := tx.SetResealedWith(ctx, sealer.CurrentID()); err != nil {
				return err
			}
		}
		if len(keys) > 0 && hasDB {
			return tx.DropDatabaseSealKey(ctx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seal stored secrets: %w", err)
	}
	if resealed > 0 {
		log.InfoContext(ctx, "stored secrets sealed with the current key", "count", resealed, "key", all[0].ID)
	}
	if len(keys) == 0 {
		log.InfoContext(ctx, "stored secrets are sealed with a key kept in the database; set --secrets-keys to keep it apart")
	}
	return nil
}
