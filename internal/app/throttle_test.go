package app_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
	"github.com/provisio/provisio/internal/identity"
	"github.com/provisio/provisio/internal/store"
	"github.com/provisio/provisio/internal/store/storetest"
)

// TestSignIn_ConcurrentGuessesCountedFirst: 30 sign-ins for one account
// at once, 29 wrong and one right, are each counted before the password
// is checked: at most the limit of wrong guesses are checked, the rest
// are throttled, on both databases.
func TestSignIn_ConcurrentGuessesCountedFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		limit := app.DefaultConfig().Throttle.AccountFailures
		var mu sync.Mutex
		codes := map[string]int{}
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				password := fmt.Sprintf("wrong guess number %d", i)
				if i == 29 {
					password = testPassword
				}
				_, err := w.app.SignIn(w.ctx, creds(w.cUser.Email, password))
				code := "ok"
				if err != nil {
					code = domain.ErrorCode(err)
				}
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		// The right password, when it is checked, takes its attempt back
		// (a success counts against nobody): the wrong guesses checked stay
		// within the limit.
		if codes[domain.EUnauthorized] > limit || codes["ok"] > 1 || codes[domain.EThrottled] < 30-limit-1 {
			t.Fatalf("%d wrong guesses of 29 were checked (limit %d): %v", codes[domain.EUnauthorized], limit, codes)
		}
	})
}

// TestSignIn_StrangerCannotLockOutTheOwner: guesses from one address lock
// that address out of the account, not the account's owner signing in
// from elsewhere (ASVS 2.2.1); an address guessing many accounts is
// locked out of all of them.
func TestSignIn_StrangerCannotLockOutTheOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		th := app.DefaultConfig().Throttle
		stranger := func(email, password string) app.Credentials {
			c := creds(email, password)
			c.RemoteAddr = "203.0.113.66"
			return c
		}
		for range th.AccountFailures {
			_, _ = w.app.SignIn(w.ctx, stranger(w.cUser.Email, "not the password at all"))
		}
		_, err := w.app.SignIn(w.ctx, stranger(w.cUser.Email, testPassword))
		wantCode(t, err, domain.EThrottled, "")
		if _, err := w.app.SignIn(w.ctx, creds(w.cUser.Email, testPassword)); err != nil {
			t.Fatalf("the owner, elsewhere, is locked out: %v", err)
		}
		// The stranger's address, guessing other accounts, reaches its own
		// limit and is locked out of every account.
		for i := range th.AddressFailures {
			_, _ = w.app.SignIn(w.ctx, stranger(fmt.Sprintf("someone%d@acme.example", i), "not the password at all"))
		}
		_, err = w.app.SignIn(w.ctx, stranger(w.cAdmin2.Email, testPassword))
		wantCode(t, err, domain.EThrottled, "")
	})
}

// TestPasswordReset_Limited: reset requests are limited per account and
// per address; beyond the limit nothing is sent, and the answer is the
// same.
func TestPasswordReset_Limited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		th := app.DefaultConfig().Throttle
		for range 30 {
			if err := w.app.RequestPasswordReset(w.ctx, "198.51.100.7", w.cUser.Email); err != nil {
				t.Fatalf("a request over the limit answers alike: %v", err)
			}
		}
		if n := len(w.mailed(w.cUser.Email, domain.NoticePasswordReset)); n != th.ResetsPerAccount {
			t.Fatalf("30 requests sent %d emails, want %d", n, th.ResetsPerAccount)
		}
		// From one address, across accounts.
		for i := range 30 {
			_ = w.app.RequestPasswordReset(w.ctx, "203.0.113.9", fmt.Sprintf("nobody%d@acme.example", i))
		}
		if err := w.app.RequestPasswordReset(w.ctx, "203.0.113.9", w.cAdmin2.Email); err != nil {
			t.Fatal(err)
		}
		if n := len(w.mailed(w.cAdmin2.Email, domain.NoticePasswordReset)); n != 0 {
			t.Fatalf("an address over its limit still sent %d emails", n)
		}
	})
}

// TestSignIn_EveryStateCostsTheSame: an invited account (no password yet)
// is checked against a hash like every other, so its answer takes as long
// as an unknown account's or a wrong password's. Measured as a ratio
// within the same run, medians of several tries.
func TestSignIn_EveryStateCostsTheSame(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	a, c := newAppWith(t, db, &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, func(c *app.Config) {
		c.Argon2 = identity.Argon2Params{Time: 2, Memory: 16 * 1024, Threads: 1}
		c.Throttle.AccountFailures, c.Throttle.AddressFailures = 1000, 1000
	})
	w := worldOn(t, db, a, c)
	invited := must3(t, of2(w.app.CreateUser(w.ctx, w.cAdmin, app.NewUser{OrgID: w.customer.ID, Email: "ivy.invited@acme.example",
		Name: "Ivy Invited", Roles: []domain.Role{domain.RoleCustomerUser}})))
	median := func(email string) time.Duration {
		var ds []time.Duration
		for i := range 5 {
			c := creds(email, "not the password at all")
			c.RemoteAddr = fmt.Sprintf("192.0.2.%d", i)
			start := time.Now()
			_, _ = w.app.SignIn(w.ctx, c)
			ds = append(ds, time.Since(start))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	unknown, wrong, inv := median("nobody@acme.example"), median(w.cUser.Email), median(invited.Email)
	if inv < unknown/3 || inv < wrong/3 {
		t.Fatalf("an invited account answers in %v, an unknown one in %v, a wrong password in %v", inv, unknown, wrong)
	}
}

// TestHashing_Bounded: password hashes run at most MaxHashing at once;
// a burst beyond that waits, and past HashWait is told to try again.
func TestHashing_Bounded(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	a, c := newAppWith(t, db, &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, func(c *app.Config) {
		c.Argon2 = identity.Argon2Params{Time: 3, Memory: 32 * 1024, Threads: 1}
		c.MaxHashing, c.HashWait = 1, time.Millisecond
	})
	w := worldOn(t, db, a, c)
	var mu sync.Mutex
	busy := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := creds(fmt.Sprintf("nobody%d@acme.example", i), "not the password at all")
			c.RemoteAddr = fmt.Sprintf("192.0.2.%d", i)
			if _, err := w.app.SignIn(w.ctx, c); domain.ErrorCode(err) == domain.EThrottled {
				mu.Lock()
				busy++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if busy == 0 {
		t.Fatal("8 hashes at once with one slot: none was turned away")
	}
}
