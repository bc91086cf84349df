package domain

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// OIDCProvider is an organisation's external OpenID Connect identity
// provider: its users sign in there instead of with a password, and the
// first sign-in registers an invited user (SPEC section 3, R-USER-4).
type OIDCProvider struct {
	OrgID    string `json:"org_id"`
	Issuer   string `json:"issuer"`
	ClientID string `json:"client_id"`
	// ClientSecret is write-only: it is never shown, logged or written to
	// the activity log. Empty for a public client (PKCE only).
	ClientSecret   string    `json:"-"`
	SecretSet      bool      `json:"client_secret_set"` // a client secret is stored; true even where ClientSecret is withheld
	AllowedDomains []string  `json:"allowed_domains"`   // lower-case; an email's domain must be one of them exactly
	CreatedAt      time.Time `json:"created_at,omitzero"`
}

// AllowsEmail reports whether the (normalised) email's domain is one of
// the allowed domains. Subdomains are not implied: each must be listed.
func (p *OIDCProvider) AllowsEmail(email string) bool {
	at := strings.LastIndexByte(email, '@')
	return at > 0 && slices.Contains(p.AllowedDomains, strings.ToLower(email[at+1:]))
}

// CheckOIDCProvider normalises a provider's settings and refuses bad ones:
// the issuer must be an https:// URL (plain http only on a loopback
// address, for tests), the client id must be set, and the allowed email
// domains must be a non-empty list of domain names. Code: invalid.
func CheckOIDCProvider(p OIDCProvider) (OIDCProvider, error) {
	p.Issuer, p.ClientID = strings.TrimSpace(p.Issuer), strings.TrimSpace(p.ClientID)
	if !validIssuer(p.Issuer) {
		return p, &Error{Code: EInvalid, Field: "issuer",
			Message: "the issuer must be an https:// URL without query or fragment (http:// only on a loopback address)"}
	}
	if p.ClientID == "" {
		return p, &Error{Code: EInvalid, Field: "client_id", Message: "give the client id registered at the identity provider"}
	}
	var domains []string
	for _, d := range p.AllowedDomains {
		d = strings.ToLower(strings.TrimSpace(d))
		if !validDomain(d) {
			return p, &Error{Code: EInvalid, Field: "allowed_domains",
				Message: "\"" + d + "\" is not a domain name; list domains such as example.com"}
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	if len(domains) == 0 {
		return p, &Error{Code: EInvalid, Field: "allowed_domains",
			Message: "list at least one email domain whose users may sign in through this provider"}
	}
	p.AllowedDomains = domains
	return p, nil
}

func validIssuer(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback() || strings.EqualFold(host, "localhost")
	}
	return false
}

func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// SSODomain is an email domain an organisation claims for its single
// sign-on. A domain is claimed by one organisation at most, and counts
// only once proven: by a DNS TXT record, or by an operator's approval.
type SSODomain struct {
	Domain     string    `json:"domain"`
	OrgID      string    `json:"org_id"`
	Token      string    `json:"-"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	VerifiedBy string    `json:"verified_by,omitempty"` // "dns" or the approving operator's id
	CreatedAt  time.Time `json:"created_at,omitzero"`
}

// Verified reports whether the claim is proven.
func (d *SSODomain) Verified() bool { return !d.VerifiedAt.IsZero() }

// TXTName is the DNS name whose TXT record proves the claim.
func (d *SSODomain) TXTName() string { return "_provisio-challenge." + d.Domain }

// TXTValue is the TXT record that proves the claim.
func (d *SSODomain) TXTValue() string { return "provisio-domain-verification=" + d.Token }

// OIDCState is one sign-in at an identity provider in progress: what the
// callback needs to finish it.
type OIDCState struct {
	State     string
	OrgID     string
	Nonce     string
	Verifier  string // the PKCE code verifier
	ExpiresAt time.Time
}

// OIDCKey is a signing key as stored: the private key (PEM), sealed at
// rest.
type OIDCKey struct {
	ID         string
	PrivatePEM string
	CreatedAt  time.Time
	RetireAt   time.Time
}
