package identity

import (
	"crypto/rand"
	"strings"
	"unicode"
)

// recoveryAlphabet leaves out 0, o, 1, l and i, which are easy to misread
// when a code is copied from paper. 31 symbols give about 4.95 bits each.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// Recovery codes have recoveryGroups groups of recoveryGroupLen symbols,
// about 59 bits in all.
const (
	recoveryGroups   = 3
	recoveryGroupLen = 4
)

// NewRecoveryCodes returns n distinct single-use recovery codes such as
// "k7p2-9xq4-m3rt", drawn from crypto/rand. It returns nil when n < 1.
// Show the codes once and store only HashRecoveryCode of each.
func NewRecoveryCodes(n int) []string {
	if n < 1 {
		return nil
	}
	codes := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(codes) < n {
		c := newRecoveryCode()
		if seen[c] {
			continue
		}
		seen[c] = true
		codes = append(codes, c)
	}
	return codes
}

// newRecoveryCode draws one code by rejection sampling, so that every
// symbol is equally likely.
func newRecoveryCode() string {
	const symbols = recoveryGroups * recoveryGroupLen
	// Largest multiple of the alphabet size that fits in a byte.
	const limit = 256 - 256%len(recoveryAlphabet)
	var b strings.Builder
	b.Grow(symbols + recoveryGroups - 1)
	buf := make([]byte, 2*symbols)
	written := 0
	for written < symbols {
		// crypto/rand.Read never fails (Go 1.24+), as NewSecret relies on.
		_, _ = rand.Read(buf)
		for _, v := range buf {
			if int(v) >= limit {
				continue
			}
			if written > 0 && written%recoveryGroupLen == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[int(v)%len(recoveryAlphabet)])
			written++
			if written == symbols {
				break
			}
		}
	}
	return b.String()
}

// NormalizeRecoveryCode returns code as it is stored and compared:
// lower-case, without spaces, other white space or dashes. People type
// codes in many ways; all of them normalise to the same string.
func NormalizeRecoveryCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// HashRecoveryCode returns the stored form of a recovery code:
// HashSecret(NormalizeRecoveryCode(code)). A fast hash is enough because the
// codes are random, not chosen by people.
func HashRecoveryCode(code string) string {
	return HashSecret(NormalizeRecoveryCode(code))
}
