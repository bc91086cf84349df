// Package hooksig signs and checks the bodies Provisio exchanges with
// other systems over HTTP: its webhook events (R-PLUS-2), its calls to the
// vendor's site provisioner and that provisioner's callbacks (R-SITE-0).
// A signature is an HMAC-SHA256 of the timestamp and the body, so a
// receiver can refuse a forged body and an old one.
package hooksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Header carries the signature:
// "t=<unix seconds>,v1=<hex of HMAC(secret, t + "." + body)>".
const Header = "Provisio-Signature"

// Errors of Verify, for a receiver that explains its refusal.
var (
	ErrMalformed = errors.New("malformed " + Header + " header")
	ErrStale     = errors.New("signature timestamp outside tolerance")
	ErrMismatch  = errors.New("signature mismatch")
)

// Sign returns the header value for body at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks header against body, refusing a signature made more than
// tolerance away from now.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return ErrMalformed
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return ErrMismatch
	}
	return nil
}
