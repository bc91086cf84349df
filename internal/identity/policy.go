package identity

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// Reasons a PasswordPolicy refuses a password. They are stable codes that
// callers may map to their own wording or translations.
const (
	ReasonTooShort      = "too_short"
	ReasonTooLong       = "too_long"
	ReasonCommon        = "common"
	ReasonContainsEmail = "contains_email"
)

// DefaultMinPasswordLength is the minimum length NewPasswordPolicy uses when
// asked for less than one character (NIST SP 800-63B's floor).
const DefaultMinPasswordLength = 8

// MaxPasswordLength is the longest password accepted, in runes. It bounds
// the work argon2id does per sign-in attempt, not the strength of a password.
const MaxPasswordLength = 256

// commonPasswordsText is the zxcvbn-ts "passwords-common" list, one
// lower-case entry per line, most frequent first (see data/README.md).
//
//go:embed data/common-passwords.txt
var commonPasswordsText string

var (
	commonPasswordsOnce sync.Once
	commonPasswordsSet  map[string]struct{}
)

// commonPasswords returns the embedded list as a set, built on first use.
// The keys are substrings of the embedded text, so the set adds only the
// map's own overhead.
func commonPasswords() map[string]struct{} {
	commonPasswordsOnce.Do(func() {
		lines := strings.Split(commonPasswordsText, "\n")
		set := make(map[string]struct{}, len(lines))
		for _, line := range lines {
			line = strings.TrimSpace(line)
			if line != "" {
				set[line] = struct{}{}
			}
		}
		commonPasswordsSet = set
	})
	return commonPasswordsSet
}

// PasswordPolicy decides which passwords are acceptable: long enough, not
// absurdly long, not on a list of common passwords, and not the account's
// own email address. It is safe for concurrent use.
type PasswordPolicy struct {
	// MinLength is the minimum number of runes.
	MinLength int

	common map[string]struct{}
}

// NewPasswordPolicy returns a policy requiring at least minLength runes
// (DefaultMinPasswordLength when minLength < 1). The embedded common-password
// list is parsed once per process, however many policies are made.
func NewPasswordPolicy(minLength int) *PasswordPolicy {
	if minLength < 1 {
		minLength = DefaultMinPasswordLength
	}
	return &PasswordPolicy{MinLength: minLength, common: commonPasswords()}
}

// PasswordError says why a password was refused. Message is safe to show to
// the person choosing the password: it says what is wrong and never repeats
// the password.
type PasswordError struct {
	Reason  string // one of the Reason constants
	Message string
}

// Error returns the reason code and the safe message.
func (e *PasswordError) Error() string {
	return "password " + e.Reason + ": " + e.Message
}

// Check returns nil when password is acceptable for the account with the
// given email, or a *PasswordError whose Reason is ReasonTooShort,
// ReasonTooLong, ReasonContainsEmail or ReasonCommon. Length is counted in
// runes. Comparisons ignore case. email may be empty.
//
// ReasonContainsEmail is returned when the password contains the whole
// email address or equals its local part. Containing only the local part is
// allowed, so that a long passphrase is not refused for sharing a word with
// the address.
func (p *PasswordPolicy) Check(password, email string) error {
	n := utf8.RuneCountInString(password)
	minLength := p.MinLength
	if minLength < 1 {
		minLength = DefaultMinPasswordLength
	}
	if n < minLength {
		return &PasswordError{Reason: ReasonTooShort,
			Message: fmt.Sprintf("Use at least %d characters.", minLength)}
	}
	if n > MaxPasswordLength {
		return &PasswordError{Reason: ReasonTooLong,
			Message: fmt.Sprintf("Use at most %d characters.", MaxPasswordLength)}
	}
	lower := strings.ToLower(password)
	if matchesEmail(lower, email) {
		return &PasswordError{Reason: ReasonContainsEmail,
			Message: "Do not use your email address as your password."}
	}
	common := p.common
	if common == nil {
		// A PasswordPolicy built as a literal still gets the list.
		common = commonPasswords()
	}
	if _, ok := common[lower]; ok {
		return &PasswordError{Reason: ReasonCommon,
			Message: "This password is too common and easy to guess. Choose another one."}
	}
	return nil
}

// matchesEmail reports whether the lower-cased password contains the whole
// email or equals its local part.
func matchesEmail(lowerPassword, email string) bool {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return false
	}
	if strings.Contains(lowerPassword, email) {
		return true
	}
	local := email
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		local = email[:at]
	}
	return local != "" && lowerPassword == local
}
