package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"

	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
)

// Single sign-on by email domain (R-PLUS-3): an organisation claims the
// email domains its identity provider signs in; a domain is claimed by one
// organisation at most, and counts only once proven, by a DNS TXT record
// the organisation publishes or by an operator's approval. Until then the
// sign-in page does not send that domain's people to the provider, and the
// provider's sign-ins for it are refused.

// errDomainClaimed refuses a domain another organisation holds, without
// saying which.
func errDomainClaimed(dom string) error {
	return domain.RuleError(domain.EConflict, "R-PLUS-3",
		"the email domain %s is already claimed for single sign-on by another organisation; ask the vendor's operators", dom)
}

// claimSSODomains claims doms for orgID and releases its other claims.
func (u *unit) claimSSODomains(ctx context.Context, orgID string, doms []string) error {
	for _, d := range doms {
		owner, err := u.tx.ClaimSSODomain(ctx, d, orgID, identity.NewSecret("dom"), u.now)
		if err != nil {
			return fmt.Errorf("claim %s: %w", d, err)
		}
		if owner != orgID {
			return errDomainClaimed(d)
		}
	}
	return u.tx.ReleaseSSODomains(ctx, orgID, doms)
}

// SSODomains lists the email domains the organisation claims, with what
// proves each (for the DNS record to publish). Its administrators and
// operators may. Codes: not_found, forbidden.
func (a *App) SSODomains(ctx context.Context, act Actor, orgID string) (out []*domain.SSODomain, err error) {
	err = a.read(ctx, act, func(u *unit) error {
		o, err := u.loadOrg(ctx, orgID)
		if err != nil {
			return err
		}
		if !act.configuresSignInOf(o.ID) {
			return forbidden("R-PLUS-3", "only the organisation's administrators see its sign-in set-up")
		}
		out, err = u.tx.SSODomains(ctx, o.ID)
		return err
	})
	return out, err
}

// VerifySSODomain proves the organisation's claim on an email domain: an
// operator approves it; the organisation's administrators prove it by the
// DNS TXT record TXTName = TXTValue, which is looked up now. Codes:
// not_found, forbidden, rule.
func (a *App) VerifySSODomain(ctx context.Context, act Actor, orgID, dom string) (d *domain.SSODomain, err error) {
	err = a.write(ctx, act, func(u *unit) error {
		o, err := u.loadOrg(ctx, orgID)
		if err != nil {
			return err
		}
		if d, err = u.tx.SSODomain(ctx, o.ID, dom); errors.Is(err, domain.ErrNotFound) {
			return domain.RuleError(domain.ENotFound, "R-PLUS-3", "%s does not claim the email domain %s", o.Name, dom)
		} else if err != nil {
			return err
		}
		if !act.configuresSignInOf(o.ID) {
			return forbidden("R-PLUS-3", "only the organisation's administrators and operators prove its domains")
		}
		by := "dns"
		if act.User == nil || act.IsOperator() {
			by = act.userID()
		} else if records, err := a.lookupTXT(ctx, d.TXTName()); err != nil || !slices.Contains(records, d.TXTValue()) {
			return domain.RuleError(domain.ERule, "R-PLUS-3", "no DNS TXT record %s = %q was found; publish it and try again, or ask the vendor's operators to approve the domain",
				d.TXTName(), d.TXTValue())
		}
		if err := u.tx.VerifySSODomain(ctx, o.ID, dom, by, u.now); err != nil {
			return err
		}
		before := *d
		d.VerifiedAt, d.VerifiedBy = u.now, by
		return u.record(ctx, "sso_domain.verify", "org", o.ID, o.ID, before, d)
	})
	return d, err
}

// lookupTXT reads a name's DNS TXT records.
func (a *App) lookupTXT(ctx context.Context, name string) ([]string, error) {
	if a.txt != nil {
		return a.txt(ctx, name)
	}
	return net.DefaultResolver.LookupTXT(ctx, name)
}

// SetTXTLookup replaces the DNS lookup of domain proofs, for tests on a
// machine with no DNS of its own.
func (a *App) SetTXTLookup(f func(ctx context.Context, name string) ([]string, error)) { a.txt = f }
