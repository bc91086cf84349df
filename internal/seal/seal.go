// Package seal encrypts the secrets Provisio must be able to read back
// (webhook signing keys, organisations' OIDC client secrets, TOTP
// secrets) before they are stored, with AES-256-GCM under keys from a
// setting. A sealed value names its key, so keys can be rotated: values
// are opened with whichever key sealed them and sealed again with the
// current one.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// prefix marks a sealed value: "sealed:v1:<key id>:<base64url(nonce|ciphertext)>".
const prefix = "sealed:v1:"

// Key is one named 256-bit key.
type Key struct {
	ID     string
	Secret []byte
}

// Sealer seals with its current key and opens with any of its keys.
type Sealer struct {
	current string
	aeads   map[string]cipher.AEAD
}

// New returns a sealer over keys; the first is the current one.
func New(keys ...Key) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("seal: no key")
	}
	s := &Sealer{current: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if !validID(k.ID) {
			return nil, fmt.Errorf("seal: key id %q: use letters, digits and hyphens", k.ID)
		}
		if len(k.Secret) != 32 {
			return nil, fmt.Errorf("seal: key %s has %d bytes, want 32", k.ID, len(k.Secret))
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("seal: key %s: %w", k.ID, err)
		}
		if s.aeads[k.ID], err = cipher.NewGCM(block); err != nil {
			return nil, fmt.Errorf("seal: key %s: %w", k.ID, err)
		}
	}
	return s, nil
}

// validID accepts key ids of letters, digits and hyphens: they stand in
// sealed values and in LIKE patterns.
func validID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// ParseKeys reads the keys setting: "id:base64key,id2:base64key2", the
// first being the current key (standard or URL base64, padded or not).
func ParseKeys(setting string) ([]Key, error) {
	var keys []Key
	for _, part := range strings.Split(setting, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, b64, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("seal: key %q: write it as id:base64", part)
		}
		secret, err := decode(b64)
		if err != nil {
			return nil, fmt.Errorf("seal: key %s is not base64: %w", id, err)
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	return keys, nil
}

func decode(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// NewKey returns a fresh random key named id, and its setting form.
func NewKey(id string) (Key, string) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return Key{ID: id, Secret: secret}, id + ":" + base64.RawURLEncoding.EncodeToString(secret)
}

// Seal encrypts plain with the current key. The empty string stays empty.
func (s *Sealer) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	aead := s.aeads[s.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: nonce: %w", err)
	}
	out := aead.Seal(nonce, nonce, []byte(plain), []byte(s.current))
	return prefix + s.current + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a sealed value with the key that sealed it. A value that
// is not sealed (stored before sealing began) is returned as it is, so
// that Reseal can seal it.
func (s *Sealer) Open(stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, prefix)
	if !ok {
		return stored, nil
	}
	id, b64, ok := strings.Cut(rest, ":")
	aead := s.aeads[id]
	if !ok || aead == nil {
		return "", fmt.Errorf("seal: the value is sealed with key %q, which is not configured", id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errors.New("seal: the sealed value is damaged")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", errors.New("seal: the sealed value does not open with its key (damaged, or the key changed)")
	}
	return string(plain), nil
}

// Current reports whether stored is sealed with the current key (or empty).
func (s *Sealer) Current(stored string) bool {
	return stored == "" || strings.HasPrefix(stored, s.Prefix())
}

// CurrentID is the id of the key that seals.
func (s *Sealer) CurrentID() string { return s.current }

// Prefix is how every value sealed with the current key begins (no LIKE
// wildcards: key ids are letters and digits).
func (s *Sealer) Prefix() string { return prefix + s.current + ":" }
