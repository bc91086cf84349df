package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/provisio/provisio/internal/seal"
)

// Secrets Provisio must read back are sealed before they are stored
// (internal/seal): webhooks' signing keys, organisations' OIDC client
// secrets and TOTP secrets. This file holds the sealing and the key kept
// in the database when no key is set.

// sealedColumns are the columns that hold sealed secrets: table, key
// column, secret column.
var sealedColumns = [][3]string{
	{"webhooks", "id", "secret"}, {"oidc_providers", "org_id", "client_secret"}, {"mfa_totp", "user_id", "secret"},
	{"notices", "id", "body"}, {"notices", "id", "body_html"}, {"notices", "id", "template_data"},
	{"oidc_keys", "id", "private_key"}, {"oidc_state", "id", "crypto_key"},
	{"site_directories", "site_id", "bind_password"}, {"directory_accounts", "id", "password"},
}

func (tx *Tx) seal(plain string) (string, error) {
	if tx.sealer == nil {
		return plain, nil
	}
	s, err := tx.sealer.Seal(plain)
	if err != nil {
		return "", fmt.Errorf("seal a secret: %w", err)
	}
	return s, nil
}

func (tx *Tx) open(stored string) (string, error) {
	if tx.sealer == nil {
		return stored, nil
	}
	return tx.sealer.Open(stored)
}

// Reseal seals again, with the current key, every stored secret that is
// not sealed with it: secrets stored before sealing began, and those
// sealed with an older key (rotation). It returns how many it sealed.
func (tx *Tx) Reseal(ctx context.Context) (int, error) {
	if tx.sealer == nil {
		return 0, errors.New("reseal: no sealer")
	}
	n := 0
	for _, c := range sealedColumns {
		// Only the rows not sealed with the current key come back.
		rows, err := tx.q.QueryContext(ctx, `SELECT `+c[1]+`, `+c[2]+` FROM `+c[0]+` WHERE `+c[2]+` <> '' AND `+c[2]+
			` NOT LIKE $1`, tx.sealer.Prefix()+"%")
		if err != nil {
			return n, fmt.Errorf("reseal %s: %w", c[0], translate(err))
		}
		type row struct{ key, value string }
		var stale []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.key, &r.value); err != nil {
				rows.Close()
				return n, fmt.Errorf("reseal %s: %w", c[0], translate(err))
			}
			if !tx.sealer.Current(r.value) {
				stale = append(stale, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, fmt.Errorf("reseal %s: %w", c[0], translate(err))
		}
		for _, r := range stale {
			plain, err := tx.sealer.Open(r.value)
			if err != nil {
				return n, fmt.Errorf("reseal %s %s: %w", c[0], r.key, err)
			}
			sealed, err := tx.seal(plain)
			if err != nil {
				return n, err
			}
			if _, err := tx.exec(ctx, `UPDATE `+c[0]+` SET `+c[2]+` = $2 WHERE `+c[1]+` = $1`, r.key, sealed); err != nil {
				return n, fmt.Errorf("reseal %s %s: %w", c[0], r.key, err)
			}
			n++
		}
	}
	return n, nil
}

// ResealedWith returns the id of the key every stored secret was last
// sealed with ("" before the first reseal).
func (tx *Tx) ResealedWith(ctx context.Context) (string, error) {
	var id string
	err := tx.q.QueryRowContext(ctx, `SELECT key_id FROM seal_state WHERE id = 1`).Scan(&id)
	if err = translate(err); errors.Is(err, ErrNotFound) {
		return "", nil
	}
	return id, err
}

// SetResealedWith records that every stored secret is sealed with key id.
func (tx *Tx) SetResealedWith(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, `INSERT INTO seal_state (id, key_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id`, id)
	return err
}

// StoredSealKey returns the key kept in the database, creating it when
// there is none: the zero-setup key, used when no key is set. Replicas
// starting together agree on one.
func (tx *Tx) StoredSealKey(ctx context.Context, now time.Time) (seal.Key, error) {
	_, setting := seal.NewKey("db1")
	if _, err := tx.exec(ctx, `INSERT INTO seal_keys (id, secret, created_at) VALUES ('db1', $1, $2) ON CONFLICT (id) DO NOTHING`,
		setting, ts(now)); err != nil {
		return seal.Key{}, fmt.Errorf("store a sealing key: %w", err)
	}
	var stored string
	if err := tx.q.QueryRowContext(ctx, `SELECT secret FROM seal_keys WHERE id = 'db1'`).Scan(&stored); err != nil {
		return seal.Key{}, fmt.Errorf("read the sealing key: %w", translate(err))
	}
	keys, err := seal.ParseKeys(stored)
	if err != nil || len(keys) != 1 {
		return seal.Key{}, fmt.Errorf("the stored sealing key is damaged: %v", err)
	}
	return keys[0], nil
}

// DatabaseSealKey returns the key kept in the database, if there is one.
func (tx *Tx) DatabaseSealKey(ctx context.Context) (seal.Key, bool, error) {
	var stored string
	err := tx.q.QueryRowContext(ctx, `SELECT secret FROM seal_keys WHERE id = 'db1'`).Scan(&stored)
	if err = translate(err); errors.Is(err, ErrNotFound) {
		return seal.Key{}, false, nil
	} else if err != nil {
		return seal.Key{}, false, fmt.Errorf("read the sealing key: %w", err)
	}
	keys, err := seal.ParseKeys(stored)
	if err != nil || len(keys) != 1 {
		return seal.Key{}, false, fmt.Errorf("the stored sealing key is damaged: %v", err)
	}
	return keys[0], true, nil
}

// DropDatabaseSealKey forgets the key kept in the database, once every
// secret is sealed with a key from the settings.
func (tx *Tx) DropDatabaseSealKey(ctx context.Context) error {
	_, err := tx.exec(ctx, `DELETE FROM seal_keys`)
	return err
}
