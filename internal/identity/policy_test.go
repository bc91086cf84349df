package identity

import (
	"errors"
	"strings"
	"testing"
)

func TestCommonPasswords(t *testing.T) {
	set := commonPasswords()
	if len(set) <= 10000 {
		t.Fatalf("common-password list has %d entries, want > 10000", len(set))
	}
	for _, pw := range []string{"123456", "password", "qwertyuiop", "password123"} {
		if _, ok := set[pw]; !ok {
			t.Errorf("list is missing %q", pw)
		}
	}
	if _, ok := set[""]; ok {
		t.Error("list holds the empty string")
	}
}

func TestPasswordPolicy_Check(t *testing.T) {
	p := NewPasswordPolicy(10)
	const email = "Alice.Smith@Example.com"
	tests := []struct {
		name     string
		password string
		email    string
		reason   string // "" means accepted
	}{
		{"OK", "correct horse battery staple", email, ""},
		{"OKNoEmail", "tangerine-wharf-lantern", "", ""},
		{"OKLocalPartInsidePassphrase", "alice.smith walks the long pier", email, ""},
		{"OKExactlyMinLength", "x7#Qm2!pLz", email, ""},
		{"OKMaxLength", strings.Repeat("é", MaxPasswordLength), email, ""},
		{"TooShort", "x7#Qm2!pL", email, ReasonTooShort},
		{"TooShortRunes", "ééééééééé", email, ReasonTooShort},
		{"Empty", "", email, ReasonTooShort},
		{"TooLong", strings.Repeat("é", MaxPasswordLength+1), email, ReasonTooLong},
		{"Common", "password123", email, ReasonCommon},
		{"CommonUpperCase", "PASSWORD123", email, ReasonCommon},
		{"CommonQwerty", "qwertyuiop", email, ReasonCommon},
		{"CommonMixedCase", "QwertyUiop", email, ReasonCommon},
		{"EmailLocalPart", "alice.smith", email, ReasonContainsEmail},
		{"EmailLocalPartCase", "ALICE.SMITH", email, ReasonContainsEmail},
		{"WholeEmail", "alice.smith@example.com", email, ReasonContainsEmail},
		{"ContainsWholeEmail", "my alice.smith@example.com!", email, ReasonContainsEmail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Check(tt.password, tt.email)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				return
			}
			var pe *PasswordError
			if !errors.As(err, &pe) {
				t.Fatalf("Check() = %v (%T), want *PasswordError", err, err)
			}
			if pe.Reason != tt.reason {
				t.Errorf("Reason = %q, want %q", pe.Reason, tt.reason)
			}
			if pe.Message == "" {
				t.Error("Message is empty")
			}
			if tt.password != "" && strings.Contains(strings.ToLower(pe.Message+pe.Error()), strings.ToLower(tt.password)) {
				t.Errorf("error %q repeats the password", pe.Error())
			}
		})
	}
}

func TestNewPasswordPolicy_DefaultMinLength(t *testing.T) {
	p := NewPasswordPolicy(0)
	if p.MinLength != DefaultMinPasswordLength {
		t.Fatalf("MinLength = %d, want %d", p.MinLength, DefaultMinPasswordLength)
	}
	var zero PasswordPolicy
	var pe *PasswordError
	if err := zero.Check("x7#Qm2!", ""); !errors.As(err, &pe) || pe.Reason != ReasonTooShort {
		t.Errorf("zero policy Check(short) = %v, want %s", err, ReasonTooShort)
	}
	if err := zero.Check("qwertyuiop", ""); !errors.As(err, &pe) || pe.Reason != ReasonCommon {
		t.Errorf("zero policy Check(common) = %v, want %s", err, ReasonCommon)
	}
}
