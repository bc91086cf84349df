package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/provisio/provisio/internal/domain"
)

// callerTTL is how long the actor behind an API token is kept: a burst of
// calls with one token resolves it once. Another replica's lock,
// revocation or role change is seen within it, well inside the 100 ms
// DESIGN allows; this process's own writes empty the cache at once.
const callerTTL = 50 * time.Millisecond

// callerCache keeps recent actors by the hash of their token.
type callerCache struct {
	mu sync.Mutex
	m  map[string]cachedCaller
}

type cachedCaller struct {
	user     domain.User
	org      domain.Org
	lastUsed time.Time // the token's, to know when to record use again
	tokenID  string
	at       time.Time // when it was read (the machine's clock, not the app's)
	writes   uint64    // the process's write count when it was read
}

// get returns the actor kept for hash if it is still fresh.
func (c *callerCache) get(hash string, writes uint64) (cachedCaller, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || e.writes != writes || time.Since(e.at) >= callerTTL {
		return cachedCaller{}, false
	}
	return e, true
}

// put keeps e for hash; it forgets stale entries when the cache grows.
func (c *callerCache) put(hash string, e cachedCaller) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedCaller{}
	}
	c.m[hash] = e
}

// countedStore is the store with a count of the write transactions this
// process has run, which the caches compare to know they are current.
type countedStore struct {
	Store
	writes *atomic.Uint64
}

// Write runs fn and counts it, committed or not.
func (s countedStore) Write(ctx context.Context, fn func(Tx) error) error {
	defer s.writes.Add(1)
	return s.Store.Write(ctx, fn)
}
