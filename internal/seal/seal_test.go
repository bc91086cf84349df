package seal_test

import (
	"strings"
	"testing"

	"github.com/provisio/provisio/internal/seal"
)

// TestSeal: a sealed value opens with the key that sealed it, names that
// key, never holds the plain text, and fails to open without its key or
// when damaged; a value stored before sealing opens as it is.
func TestSeal(t *testing.T) {
	k1, setting1 := seal.NewKey("k1")
	k2, _ := seal.NewKey("k2")
	s1, err := seal.New(k1)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s1.Seal("whsec_plain")
	if err != nil || !strings.HasPrefix(sealed, "sealed:v1:k1:") || strings.Contains(sealed, "whsec_plain") {
		t.Fatalf("sealed %q %v", sealed, err)
	}
	if again, _ := s1.Seal("whsec_plain"); again == sealed {
		t.Fatal("two seals of one value are alike: the nonce is not fresh")
	}
	if plain, err := s1.Open(sealed); err != nil || plain != "whsec_plain" {
		t.Fatalf("open: %q %v", plain, err)
	}
	rotated, err := seal.New(k2, k1) // k2 seals, k1 still opens
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := rotated.Open(sealed); err != nil || plain != "whsec_plain" || rotated.Current(sealed) {
		t.Fatalf("after rotation: %q %v current=%v", plain, err, rotated.Current(sealed))
	}
	only2, _ := seal.New(k2)
	if _, err := only2.Open(sealed); err == nil {
		t.Fatal("a value opened without its key")
	}
	if _, err := s1.Open(sealed[:len(sealed)-3] + "AAA"); err == nil {
		t.Fatal("a damaged value opened")
	}
	if plain, err := s1.Open("legacy-plain"); err != nil || plain != "legacy-plain" || s1.Current("legacy-plain") {
		t.Fatalf("a value stored before sealing: %q %v", plain, err)
	}
	keys, err := seal.ParseKeys(setting1 + ", " + "k0:" + strings.Repeat("A", 43))
	if err != nil || len(keys) != 2 || keys[0].ID != "k1" {
		t.Fatalf("keys setting: %v %v", keys, err)
	}
	if _, err := seal.ParseKeys("nocolon"); err == nil {
		t.Fatal("a key without an id was taken")
	}
	if _, err := seal.New(seal.Key{ID: "short", Secret: []byte("x")}); err == nil {
		t.Fatal("a short key was taken")
	}
}
