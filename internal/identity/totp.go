package identity

import (
	"bytes"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings. They are what authenticator apps assume when an otpauth://
// URL leaves them out, and several apps ignore any other values.
const (
	totpPeriod     = 30 // seconds
	totpDigits     = otp.DigitsSix
	totpAlgorithm  = otp.AlgorithmSHA1
	totpSecretSize = 20 // bytes: the HMAC-SHA1 block-size recommendation of RFC 4226
	totpSkew       = 1  // periods accepted either side of now
)

// TOTPKey is a new enrolment: the secret (base32, no padding) and the
// otpauth:// URL that authenticator apps read from a QR code.
type TOTPKey struct {
	Secret string
	URL    string
}

// NewTOTP returns a new random RFC 6238 key for account at issuer, using
// SHA-1, 6 digits and a 30-second period. Both issuer and account must be
// non-empty; issuer must not contain a colon, which separates the two in
// the URL's label.
func NewTOTP(issuer, account string) (TOTPKey, error) {
	if strings.Contains(issuer, ":") {
		return TOTPKey{}, errors.New("new totp key: issuer must not contain ':'")
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      totpDigits,
		Algorithm:   totpAlgorithm,
	})
	if err != nil {
		return TOTPKey{}, fmt.Errorf("new totp key: %w", err)
	}
	return TOTPKey{Secret: key.Secret(), URL: key.URL()}, nil
}

// TOTPKeyFor returns the key of an existing secret (base32, as NewTOTP
// gives it), to show an enrolment again.
func TOTPKeyFor(issuer, account, secret string) (TOTPKey, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return TOTPKey{}, fmt.Errorf("totp key: the secret is not base32: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		Secret: raw, Digits: totpDigits, Algorithm: totpAlgorithm})
	if err != nil {
		return TOTPKey{}, fmt.Errorf("totp key: %w", err)
	}
	return TOTPKey{Secret: key.Secret(), URL: key.URL()}, nil
}

// TOTPQRCodePNG returns a size×size PNG image of a QR code holding key.URL.
// It fails when size is too small for the code's modules.
func TOTPQRCodePNG(key TOTPKey, size int) ([]byte, error) {
	if size <= 0 {
		return nil, fmt.Errorf("totp qr code: size %d is not positive", size)
	}
	k, err := otp.NewKeyFromURL(key.URL)
	if err != nil {
		return nil, fmt.Errorf("totp qr code: %w", err)
	}
	img, err := k.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp qr code: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// TOTPStep returns the RFC 6238 time step (counter) containing now.
func TOTPStep(now time.Time) int64 {
	return now.Unix() / totpPeriod
}

// CheckTOTP reports whether code is valid for secret at now, allowing one
// period of clock skew either way. Spaces in code are ignored. It does not
// refuse a replayed code; use CheckTOTPStep for that.
func CheckTOTP(secret, code string, now time.Time) bool {
	_, ok := CheckTOTPStep(secret, code, now)
	return ok
}

// CheckTOTPStep is CheckTOTP that also returns the time step the code
// belongs to. A caller refuses replay by storing the step of the last code
// it accepted and refusing any code whose step is not greater. The step is
// meaningful only when ok is true. A malformed secret never matches.
func CheckTOTPStep(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, code)
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	opts := hotp.ValidateOpts{Digits: totpDigits, Algorithm: totpAlgorithm}
	current := TOTPStep(now)
	// Two steps in the window share a code about once in a million; the
	// oldest is then reported, and a replay still matches that same step.
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		if s < 0 {
			continue
		}
		match, err := hotp.ValidateCustom(code, uint64(s), secret, opts)
		if err != nil {
			return 0, false
		}
		if match {
			return s, true
		}
	}
	return 0, false
}
