// Package outbound makes the HTTP calls Provisio sends to addresses its
// users give it (webhooks, identity providers), so that no such address
// can point Provisio inside its own network: the address is checked when
// the connection is made, after DNS, so a name that resolves to a private
// address is refused too; redirects are not followed; every call times
// out.
package outbound

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrRefused is the error of a call to an address that is not public.
var ErrRefused = errors.New("outbound: the address is not a public one")

// Client returns an HTTP client for calls to addresses users give. With
// allowLoopback, loopback addresses are allowed too: for tests and
// development only, behind an explicit setting.
func Client(timeout time.Duration, allowLoopback bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		return check(address, allowLoopback)
	}}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would hide the address from the check
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// check refuses address (host:port, an IP after DNS) unless it is public.
func check(address string, allowLoopback bool) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrRefused, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrRefused, address)
	}
	if !Public(ip) && !(allowLoopback && ip.Unmap().IsLoopback()) {
		return fmt.Errorf("%w: %s", ErrRefused, ip)
	}
	return nil
}

// nonPublic are the ranges no call leaves for, besides those netip names:
// shared address space (RFC 6598), benchmarking (RFC 2544), the
// documentation ranges, and IPv4-mapped or NAT64 forms of private ones.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("192.0.0.0/24"), netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"), netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// Public reports whether ip is a public unicast address: not loopback,
// private, link-local (cloud metadata lives there), unspecified, multicast
// or reserved.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || ip == netip.IPv4Unspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return ip.IsGlobalUnicast()
}
