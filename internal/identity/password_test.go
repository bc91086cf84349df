package identity

import (
	"errors"
	"strings"
	"testing"
)

// testArgon2 keeps tests fast; production uses DefaultArgon2.
var testArgon2 = Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}

func mustHashPassword(tb testing.TB, password string, p Argon2Params) string {
	tb.Helper()
	h, err := HashPassword(password, p)
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	return h
}

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	h := mustHashPassword(t, pw, testArgon2)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Errorf("hash %q is not in the expected PHC format", h)
	}
	if strings.Contains(h, pw) {
		t.Error("hash contains the password")
	}
	if h2 := mustHashPassword(t, pw, testArgon2); h2 == h {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestCheckPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	h := mustHashPassword(t, pw, testArgon2)
	t.Run("OK", func(t *testing.T) {
		if err := CheckPassword(h, pw); err != nil {
			t.Fatalf("CheckPassword = %v, want nil", err)
		}
	})
	t.Run("OKDefaultParams", func(t *testing.T) {
		hd := mustHashPassword(t, pw, DefaultArgon2)
		if err := CheckPassword(hd, pw); err != nil {
			t.Fatalf("CheckPassword = %v, want nil", err)
		}
	})
	parts := strings.Split(h, "$")
	tests := []struct{ name, encoded, password string }{
		{"ErrWrongPassword", h, "correct horse battery stapler"},
		{"ErrEmptyPassword", h, ""},
		{"ErrEmptyHash", "", pw},
		{"ErrNotPHC", "not a hash", pw},
		{"ErrOtherAlgorithm", strings.Replace(h, "$argon2id$", "$argon2i$", 1), pw},
		{"ErrTooFewParts", strings.Join(parts[:5], "$"), pw},
		{"ErrBadParams", strings.Replace(h, "m=8192,t=1,p=1", "m=x,t=1,p=1", 1), pw},
		{"ErrBadSalt", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"), pw},
		{"ErrBadKey", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "!!!"}, "$"), pw},
		{"ErrOtherParams", strings.Replace(h, "t=1", "t=2", 1), pw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckPassword(tt.encoded, tt.password); !errors.Is(err, ErrMismatch) {
				t.Fatalf("CheckPassword = %v, want ErrMismatch", err)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret("pvt"), NewSecret("pvt")
	if !strings.HasPrefix(a, "pvt_") || len(a) != len("pvt_")+43 {
		t.Errorf("NewSecret = %q, want pvt_ and 43 base64url characters", a)
	}
	if a == b {
		t.Error("two secrets are equal")
	}
}

func TestHashSecret(t *testing.T) {
	s := NewSecret("inv")
	h := HashSecret(s)
	if len(h) != 64 || strings.Contains(h, s) {
		t.Errorf("HashSecret = %q, want 64 hex digits", h)
	}
	if HashSecret(s) != h {
		t.Error("HashSecret is not deterministic")
	}
	if HashSecret(NewSecret("inv")) == h {
		t.Error("two secrets share a hash")
	}
	// SHA-256 of the empty string, a known answer.
	if got := HashSecret(""); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf(`HashSecret("") = %s`, got)
	}
}

// TestCheckPassword_HostileParameters: a tampered hash with impossible
// costs is refused, not run.
func TestCheckPassword_HostileParameters(t *testing.T) {
	for _, params := range []string{"m=65536,t=0,p=1", "m=65536,t=1,p=0", "m=1,t=1,p=1", "m=99999999,t=1,p=1"} {
		h := "$argon2id$v=19$" + params + "$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
		if err := CheckPassword(h, "x"); err == nil {
			t.Errorf("%s accepted", params)
		}
	}
}
