package server_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// BenchmarkAppTokens measures the OpenID provider's token endpoint over
// HTTP (a refresh, and a code exchange) beside its baselines in the same
// process: one access decision, and one RS256 signature. The goal (issue
// 11): a refresh costs at most 3× (access decision + signature).
func BenchmarkAppTokens(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) { benchTokens(b, d) })
	}
}

func benchTokens(b *testing.B, d store.Dialect) {
	w := startSiteWorld(b, d)
	ctx := context.Background()
	rp := w.relyingParty(w.clientID, w.secret)
	tok, _ := w.login(rp, "uma@acme.example")
	b.Run("baseline_access_decision", func(b *testing.B) {
		for b.Loop() {
			if dec, err := w.a.Access(ctx, app.System, w.site.ID, w.ids["uma@acme.example"], ""); err != nil || !dec.Allowed {
				b.Fatal(dec, err)
			}
		}
	})
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	b.Run("baseline_signature", func(b *testing.B) {
		sum := sha256.Sum256([]byte("a JWT header and claims of an ID token, some hundreds of bytes long"))
		for b.Loop() {
			if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	refresh := tok.RefreshToken // rotated at every refresh, across runs too
	b.Run("refresh", func(b *testing.B) {
		for b.Loop() {
			fresh, err := rp.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh, Expiry: time.Unix(1, 0)}).Token()
			if err != nil {
				b.Fatal(err)
			}
			refresh = fresh.RefreshToken
		}
	})
	b.Run("code_exchange", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			v := oauth2.GenerateVerifier()
			q, _, _ := w.signIn(rp.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(v)), "uma@acme.example")
			b.StartTimer()
			if _, err := rp.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
