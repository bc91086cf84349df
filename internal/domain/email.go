package domain

import (
	_ "embed"
	"encoding/json"
	"net/mail"
	"strings"
)

//go:embed data/disposable_email_blocklist.json
var disposableJSON []byte

// EmailPolicy decides which email addresses a user may have (R-USER-1…3).
// The zero value knows no disposable domains; use NewEmailPolicy.
type EmailPolicy struct {
	disposable map[string]struct{}
}

// NewEmailPolicy returns a policy with the embedded disposable-domain list
// plus any extra domains (from a refreshed list file, say).
func NewEmailPolicy(extra ...string) (*EmailPolicy, error) {
	var list []string
	if err := json.Unmarshal(disposableJSON, &list); err != nil {
		return nil, err
	}
	p := &EmailPolicy{disposable: make(map[string]struct{}, len(list)+len(extra))}
	for _, d := range append(list, extra...) {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			p.disposable[d] = struct{}{}
		}
	}
	return p, nil
}

// DisposableDomains is how many domains the policy refuses.
func (p *EmailPolicy) DisposableDomains() int { return len(p.disposable) }

// NormalizeEmail trims and lower-cases an address, the form in which emails
// are stored and compared (R-USER-1).
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Check normalises email and refuses a malformed or disposable address. It
// reports whether the address looks generic (R-USER-3), which is allowed
// with a warning.
func (p *EmailPolicy) Check(email string) (normalized string, generic bool, err error) {
	e := NormalizeEmail(email)
	addr, perr := mail.ParseAddress(e)
	at := strings.LastIndexByte(e, '@')
	if perr != nil || addr.Address != e || at < 1 || !strings.Contains(e[at+1:], ".") ||
		strings.HasSuffix(e, ".") {
		return "", false, &Error{Code: EInvalid, Rule: "R-USER-1", Field: "email",
			Message: "\"" + strings.TrimSpace(email) + "\" is not a valid email address; every user needs its own"}
	}
	domain := e[at+1:]
	if p.IsDisposable(domain) {
		return "", false, &Error{Code: ERule, Rule: "R-USER-2", Field: "email",
			Message: domain + " is a disposable or temporary email provider; use the person's own address"}
	}
	return e, IsGenericLocalPart(e[:at]), nil
}

// IsDisposable reports whether domain, or a domain it belongs to, is on the
// disposable list.
func (p *EmailPolicy) IsDisposable(domain string) bool {
	for d := domain; d != ""; {
		if _, ok := p.disposable[d]; ok {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
	return false
}

// genericLocalParts are mailbox names that belong to a function, not a person.
var genericLocalParts = map[string]bool{
	"admin": true, "administrator": true, "info": true, "accounts": true, "account": true,
	"accounting": true, "office": true, "support": true, "sales": true, "team": true,
	"contact": true, "hello": true, "enquiries": true, "inquiries": true, "finance": true,
	"billing": true, "it": true, "helpdesk": true, "service": true, "reception": true,
	"webmaster": true, "postmaster": true, "noreply": true, "no-reply": true, "mail": true,
	"user": true, "users": true, "staff": true, "hr": true, "payroll": true, "shared": true,
	"general": true, "test": true, "demo": true,
}

// IsGenericLocalPart reports whether the part of an address before "@" looks
// like a shared mailbox rather than a person's (R-USER-3).
func IsGenericLocalPart(local string) bool {
	local = strings.ToLower(local)
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if genericLocalParts[local] {
		return true
	}
	base := strings.TrimRight(local, "0123456789")
	return base != local && genericLocalParts[base]
}
