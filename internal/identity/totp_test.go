package identity

import (
	"bytes"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func mustNewTOTP(tb testing.TB) TOTPKey {
	tb.Helper()
	key, err := NewTOTP("Provisio", "alice@example.com")
	if err != nil {
		tb.Fatalf("NewTOTP: %v", err)
	}
	return key
}

func TestNewTOTP(t *testing.T) {
	key := mustNewTOTP(t)
	if len(key.Secret) != 32 { // 20 bytes in unpadded base32
		t.Errorf("secret %q has %d characters, want 32", key.Secret, len(key.Secret))
	}
	u, err := url.Parse(key.URL)
	if err != nil {
		t.Fatalf("parse URL: %v", err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Provisio:alice@example.com" {
		t.Errorf("URL = %q, want otpauth://totp/Provisio:alice@example.com", key.URL)
	}
	want := map[string]string{"secret": key.Secret, "issuer": "Provisio", "algorithm": "SHA1", "digits": "6", "period": "30"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("URL %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if other := mustNewTOTP(t); other.Secret == key.Secret {
		t.Error("two keys share a secret")
	}
	for _, tt := range []struct{ name, issuer, account string }{
		{"ErrNoIssuer", "", "alice@example.com"},
		{"ErrNoAccount", "Provisio", ""},
		{"ErrColonInIssuer", "Pro:visio", "alice@example.com"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewTOTP(tt.issuer, tt.account); err == nil {
				t.Error("NewTOTP succeeded, want an error")
			}
		})
	}
}

func TestCheckTOTP(t *testing.T) {
	key := mustNewTOTP(t)
	at := time.Date(2026, 11, 3, 9, 30, 15, 0, time.UTC)
	code, err := totp.GenerateCode(key.Secret, at)
	if err != nil {
		t.Fatalf("GenerateCode: %v", err)
	}
	tests := []struct {
		name   string
		code   string
		offset time.Duration
		ok     bool
	}{
		{"OK", code, 0, true},
		{"OKEarlyClock", code, -30 * time.Second, true},
		{"OKLateClock", code, 30 * time.Second, true},
		{"OKSpaces", " " + code[:3] + " " + code[3:] + " ", 0, true},
		{"ErrTooEarly", code, -90 * time.Second, false},
		{"ErrTooLate", code, 90 * time.Second, false},
		{"ErrEmpty", "", 0, false},
		{"ErrShort", code[:5], 0, false},
		{"ErrLong", code + "0", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at.Add(tt.offset)
			if got := CheckTOTP(key.Secret, tt.code, now); got != tt.ok {
				t.Errorf("CheckTOTP = %v, want %v", got, tt.ok)
			}
			step, ok := CheckTOTPStep(key.Secret, tt.code, now)
			if ok != tt.ok {
				t.Fatalf("CheckTOTPStep ok = %v, want %v", ok, tt.ok)
			}
			if ok && step != TOTPStep(at) {
				t.Errorf("step = %d, want %d", step, TOTPStep(at))
			}
		})
	}
	t.Run("ErrWrongCode", func(t *testing.T) {
		wrong := []byte(code)
		wrong[0] = '0' + (wrong[0]-'0'+1)%10
		if CheckTOTP(key.Secret, string(wrong), at) {
			t.Error("a wrong code was accepted")
		}
	})
	t.Run("ErrBadSecret", func(t *testing.T) {
		if CheckTOTP("not base32!", code, at) {
			t.Error("a malformed secret matched")
		}
	})
}

// TestCheckTOTP_RFC6238 uses the SHA-1 test vectors of RFC 6238 appendix B,
// truncated to six digits.
func TestCheckTOTP_RFC6238(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	tests := []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			now := time.Unix(tt.unix, 0)
			step, ok := CheckTOTPStep(secret, tt.code, now)
			if !ok || step != tt.unix/30 {
				t.Errorf("CheckTOTPStep = %d, %v; want %d, true", step, ok, tt.unix/30)
			}
		})
	}
}

func TestTOTPStep(t *testing.T) {
	if got := TOTPStep(time.Unix(59, 0)); got != 1 {
		t.Errorf("TOTPStep(59) = %d, want 1", got)
	}
	if got := TOTPStep(time.Unix(60, 0)); got != 2 {
		t.Errorf("TOTPStep(60) = %d, want 2", got)
	}
}

func TestTOTPQRCodePNG(t *testing.T) {
	key := mustNewTOTP(t)
	b, err := TOTPQRCodePNG(key, 256)
	if err != nil {
		t.Fatalf("TOTPQRCodePNG: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != 256 || got.Y != 256 {
		t.Errorf("image is %v, want 256x256", got)
	}
	for _, tt := range []struct {
		name string
		key  TOTPKey
		size int
	}{
		{"ErrZeroSize", key, 0},
		{"ErrTooSmall", key, 10},
		{"ErrBadURL", TOTPKey{URL: "http://%zz"}, 256},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := TOTPQRCodePNG(tt.key, tt.size); err == nil || strings.Contains(err.Error(), key.Secret) {
				t.Errorf("TOTPQRCodePNG = %v, want an error without the secret", err)
			}
		})
	}
}
