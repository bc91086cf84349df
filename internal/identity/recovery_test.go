package identity

import (
	"regexp"
	"strings"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	format := regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`)
	codes := NewRecoveryCodes(200)
	if len(codes) != 200 {
		t.Fatalf("got %d codes, want 200", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !format.MatchString(c) {
			t.Errorf("code %q has the wrong format", c)
		}
		if strings.ContainsAny(c, "0o1li") {
			t.Errorf("code %q holds an ambiguous symbol", c)
		}
		if seen[c] {
			t.Errorf("code %q repeated", c)
		}
		seen[c] = true
	}
	if got := NewRecoveryCodes(0); got != nil {
		t.Errorf("NewRecoveryCodes(0) = %v, want nil", got)
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"OK", "k7p2-9xq4-m3rt", "k7p29xq4m3rt"},
		{"UpperCase", "K7P2-9XQ4-M3RT", "k7p29xq4m3rt"},
		{"Spaces", " k7p2 9xq4\tm3rt ", "k7p29xq4m3rt"},
		{"NoSeparators", "k7p29xq4m3rt", "k7p29xq4m3rt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeRecoveryCode(tt.in); got != tt.want {
				t.Errorf("NormalizeRecoveryCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHashRecoveryCode(t *testing.T) {
	codes := NewRecoveryCodes(2)
	stored := HashRecoveryCode(codes[0])
	typed := " " + strings.ToUpper(strings.ReplaceAll(codes[0], "-", " ")) + " "
	if got := HashRecoveryCode(typed); got != stored {
		t.Errorf("typed code %q does not match its stored hash", typed)
	}
	if stored != HashSecret(NormalizeRecoveryCode(codes[0])) {
		t.Error("HashRecoveryCode differs from HashSecret(NormalizeRecoveryCode(code))")
	}
	if HashRecoveryCode(codes[1]) == stored {
		t.Error("two codes share a hash")
	}
}
