package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/provisio/provisio/internal/domain"
)

// versioned is a Store that tells when its data may have changed
// (store.DB.Version, OnAssignments): the version moves with any write of
// this process at once and with anyone else's commit within 50 ms (ok is
// false when it cannot vouch for that), except a write that changed only
// some users' assignments, which names them to forget instead.
type versioned interface {
	Version() (v uint64, ok bool)
	OnAssignments(forget func(users []string))
}

// maxCachedReads bounds the read cache; past it, the cache starts over.
const maxCachedReads = 100_000

// readCache keeps the rows read use cases look up most (the caller behind
// an API token, a user, an organisation, a site with its customer, a
// company, an assignment, the access check's facts) for as long as the
// database has not changed them. Every entry belongs to the version it was
// read under: once the version moves, all are forgotten. A change of some
// users' assignments forgets only the entries that depend on them
// (readKey.assignee). The scope a row was read in is part of its key, so
// a row is only ever served to a reader that could read it.
type readCache struct {
	mu      sync.RWMutex
	version uint64
	m       map[readKey]any
	// byAssignee lists, by user, the keys of the entries that depend on
	// the user's assignments.
	byAssignee map[string][]readKey
	// forgot counts the calls of forget (written under mu): a read that
	// began before one may have read what it forgot, and keeps nothing.
	forgot atomic.Uint64
}

type readKey struct {
	kind    byte
	scope   domain.Scope
	a, b, c string
}

// assignee is the user whose site or company assignments the entry under
// k depends on, if any: an assignment and the access facts name theirs
// (b); a site or company read in an accountant's scope depends on the
// sites the accountant is assigned to (store's siteInScope).
func (k readKey) assignee() string {
	switch {
	case k.kind == 'a' || k.kind == 'f':
		return k.b
	case (k.kind == 's' || k.kind == 'c') && k.scope.Accountant:
		return k.scope.UserID
	}
	return ""
}

func (c *readCache) get(k readKey, v uint64) (any, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.version != v {
		return nil, false
	}
	x, ok := c.m[k]
	return x, ok
}

// put keeps x, read under version v after forgot forgettings, unless a
// newer version was seen or a forgetting came meanwhile.
func (c *readCache) put(k readKey, v, forgot uint64, x any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case v < c.version || forgot != c.forgot.Load():
		return
	case v > c.version || c.m == nil || len(c.m) >= maxCachedReads:
		c.version, c.m, c.byAssignee = v, map[readKey]any{}, map[string][]readKey{}
	}
	c.m[k] = x
	if u := k.assignee(); u != "" {
		c.byAssignee[u] = append(c.byAssignee[u], k)
	}
}

// forget drops the entries that depend on the assignments of users.
func (c *readCache) forget(users []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgot.Add(1)
	for _, u := range users {
		for _, k := range c.byAssignee[u] {
			delete(c.m, k)
		}
		delete(c.byAssignee, u)
	}
}

// cachedTx is a read transaction that looks in the read cache first. Only
// read units use it: a write transaction reads its own changes and locks.
type cachedTx struct {
	Tx
	c      *readCache
	v      uint64
	forgot uint64
}

// overReads returns tx, seen through the read cache when the store can
// vouch for its version now.
func (a *App) overReads(tx Tx) Tx {
	if a.version == nil {
		return tx
	}
	v, current := a.version()
	if !current {
		return tx
	}
	return cachedTx{Tx: tx, c: &a.reads, v: v, forgot: a.reads.forgot.Load()}
}

// cachedRead returns the entry for k, or reads it and keeps a copy. Rows
// are copied both ways, so that no caller shares the cache's. "Not found"
// is kept too: it is as much a fact of the version as a row.
func cachedRead[T any](t cachedTx, k readKey, read func() (T, error), clone func(T) T) (T, error) {
	if x, ok := t.c.get(k, t.v); ok {
		e := x.(readEntry[T])
		return clone(e.x), e.err
	}
	x, err := read()
	if err == nil || errors.Is(err, domain.ErrNotFound) {
		t.c.put(k, t.v, t.forgot, readEntry[T]{clone(x), err})
	}
	return x, err
}

// readEntry is a kept answer: a row, or ErrNotFound.
type readEntry[T any] struct {
	x   T
	err error
}

func cloneOf[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func cloneUser(u *domain.User) *domain.User {
	c := cloneOf(u)
	if c != nil {
		c.Roles = slices.Clone(u.Roles)
	}
	return c
}

// User is Tx.User through the cache.
func (t cachedTx) User(ctx context.Context, sc domain.Scope, id string) (*domain.User, error) {
	return cachedRead(t, readKey{kind: 'u', scope: sc, a: id},
		func() (*domain.User, error) { return t.Tx.User(ctx, sc, id) }, cloneUser)
}

// Org is Tx.Org through the cache.
func (t cachedTx) Org(ctx context.Context, sc domain.Scope, id string) (*domain.Org, error) {
	return cachedRead(t, readKey{kind: 'o', scope: sc, a: id},
		func() (*domain.Org, error) { return t.Tx.Org(ctx, sc, id) }, cloneOf[domain.Org])
}

// Company is Tx.Company through the cache.
func (t cachedTx) Company(ctx context.Context, sc domain.Scope, id string) (*domain.Company, error) {
	return cachedRead(t, readKey{kind: 'c', scope: sc, a: id},
		func() (*domain.Company, error) { return t.Tx.Company(ctx, sc, id) }, cloneOf[domain.Company])
}

// Assignment is Tx.Assignment through the cache.
func (t cachedTx) Assignment(ctx context.Context, siteID, userID string) (*domain.Assignment, error) {
	return cachedRead(t, readKey{kind: 'a', a: siteID, b: userID},
		func() (*domain.Assignment, error) { return t.Tx.Assignment(ctx, siteID, userID) }, cloneOf[domain.Assignment])
}

// AccessFacts is Tx.AccessFacts through the cache.
func (t cachedTx) AccessFacts(ctx context.Context, siteID, userID, companyID string) (*domain.AccessFacts, error) {
	return cachedRead(t, readKey{kind: 'f', a: siteID, b: userID, c: companyID},
		func() (*domain.AccessFacts, error) { return t.Tx.AccessFacts(ctx, siteID, userID, companyID) },
		cloneOf[domain.AccessFacts])
}

// siteAndCustomer is what SiteWithCustomer returns.
type siteAndCustomer struct {
	site *domain.Site
	cust *domain.Org
}

// SiteWithCustomer is Tx.SiteWithCustomer through the cache.
func (t cachedTx) SiteWithCustomer(ctx context.Context, sc domain.Scope, id string) (*domain.Site, *domain.Org, error) {
	p, err := cachedRead(t, readKey{kind: 's', scope: sc, a: id},
		func() (siteAndCustomer, error) {
			s, o, err := t.Tx.SiteWithCustomer(ctx, sc, id)
			return siteAndCustomer{s, o}, err
		},
		func(p siteAndCustomer) siteAndCustomer { return siteAndCustomer{cloneOf(p.site), cloneOf(p.cust)} })
	if err != nil {
		return nil, nil, err
	}
	return p.site, p.cust, err
}

// caller is what UserByTokenHash returns.
type caller struct {
	user *domain.User
	org  *domain.Org
	tok  *domain.APIToken
}

// UserByTokenHash is Tx.UserByTokenHash through the cache.
func (t cachedTx) UserByTokenHash(ctx context.Context, hash string) (*domain.User, *domain.Org, *domain.APIToken, error) {
	c, err := cachedRead(t, readKey{kind: 'k', a: hash},
		func() (caller, error) {
			u, o, tok, err := t.Tx.UserByTokenHash(ctx, hash)
			return caller{u, o, tok}, err
		},
		func(c caller) caller { return caller{cloneUser(c.user), cloneOf(c.org), cloneOf(c.tok)} })
	if err != nil {
		return nil, nil, nil, err
	}
	return c.user, c.org, c.tok, nil
}
