package store

import (
	"context"
	"strings"
)

// cachedTables are the tables read by the reads a cache of rows may keep
// (app/reads.go: User, Org, Company, SiteWithCustomer, Assignment,
// AccessFacts, UserByTokenHash, and the tenancy predicates of scope.go
// they add). A write to any other table of the schema changes nothing such
// a cache holds; a write to a table this cannot name counts as a change of
// anything. A read added to the cache that reads another table must add
// it here. (The triggers on site_assignments write sites.assigned and
// sites.member_changes, which none of those reads.)
var cachedTables = map[string]bool{
	"users": true, "orgs": true, "companies": true, "sites": true, "api_tokens": true,
	"site_assignments": true, "company_assignments": true,
}

// assignmentTables are the cached tables whose rows belong to one user's
// access to one site: a method that names the users whose rows it writes
// (Tx.writingAssignments) changes only what the cache keeps of them.
var assignmentTables = map[string]bool{"site_assignments": true, "company_assignments": true}

// written is what a write transaction changed, as far as a cache of rows
// cares: nothing, the assignments of some users, or anything at all.
// Every statement a transaction runs is noted, so that nothing escapes by
// being forgotten: a write this cannot place counts as anything.
type written struct {
	all       bool
	assignees map[string]bool
	// uncached are the schema's tables no cache reads (DB.uncachedTables);
	// nil when unknown, and then every write counts as anything.
	uncached map[string]bool
	// naming is set while a method writes assignments and names the users
	// whose rows it changed itself (Tx.writingAssignments); outside one, a
	// write to an assignment table counts as anything.
	naming bool
	// unread is set while a method writes only columns no cached read
	// reads (Tx.writingUnread).
	unread bool
}

// note accounts for one statement about to run.
func (w *written) note(query string) {
	if w.all {
		return
	}
	table, write := writeTarget(query)
	switch {
	case !write || w.unread:
	case w.uncached[table]:
	case assignmentTables[table] && w.naming:
	default:
		w.all = true
	}
}

func (w *written) empty() bool { return !w.all && len(w.assignees) == 0 }

// writeTarget tells whether query writes and, when it is an INSERT, UPDATE
// or DELETE, the table it writes ("" when it cannot tell). It allocates
// nothing for a read: every statement of every read passes here.
func writeTarget(query string) (table string, write bool) {
	rest := query
	word := func() string {
		rest = strings.TrimLeft(rest, " \t\r\n")
		end := strings.IndexAny(rest, " \t\r\n(")
		if end < 0 {
			end = len(rest)
		}
		w := rest[:end]
		rest = rest[end:]
		return w
	}
	is := func(w, keyword string) bool { return strings.EqualFold(w, keyword) }
	// name reads the table's name, past the modifiers before it (SQLite's
	// OR REPLACE, PostgreSQL's ONLY), without its schema or quotes.
	name := func() string {
		w := word()
		if is(w, "or") {
			word()
			w = word()
		}
		if is(w, "only") {
			w = word()
		}
		w = strings.TrimRight(w, ";")
		w = w[strings.LastIndexByte(w, '.')+1:]
		return strings.ToLower(strings.Trim(w, "\"`[]"))
	}
	first := word()
	switch {
	case first == "" || is(first, "select") || is(first, "pragma") || is(first, "explain"):
		return "", false
	case is(first, "update"):
		return name(), true
	case is(first, "insert"), is(first, "replace"):
		if w := name(); is(w, "into") {
			return name(), true
		}
	case is(first, "delete"):
		if is(word(), "from") {
			return name(), true
		}
	}
	return "", true
}

// writingAssignments tells tx that, until the returned function is
// called, the statements it runs write only site and company assignments
// (and tables no cache keeps), and that the method running them names
// every user whose assignments they changed (changedAssignmentsOf), so
// that a cache forgets only what it knew of those. The function takes the
// method's error: after one, what ran may be unnamed, and counts as a
// change of anything.
func (tx *Tx) writingAssignments() (done func(err *error)) {
	tx.written.naming = true
	return func(err *error) {
		tx.written.naming = false
		if *err != nil {
			tx.written.all = true
		}
	}
}

// writingAssignmentsOf is writingAssignments for a method that writes the
// assignments of one user, named at once.
func (tx *Tx) writingAssignmentsOf(userID string) (done func(err *error)) {
	tx.changedAssignmentsOf(userID)
	return tx.writingAssignments()
}

// changedAssignmentsOf names users whose assignments tx changed.
func (tx *Tx) changedAssignmentsOf(users ...string) {
	w := &tx.written
	if w.assignees == nil {
		w.assignees = map[string]bool{}
	}
	for _, u := range users {
		w.assignees[u] = true
	}
}

// writingUnread tells tx that, until the returned function is called, the
// statements it runs write only columns no cached read reads (a user's
// last activity), so that they change nothing a cache keeps.
func (tx *Tx) writingUnread() (done func()) {
	tx.written.unread = true
	return func() { tx.written.unread = false }
}

// uncachedRead returns the tables of the schema no cache reads if they
// have been read; nil if not.
func (db *DB) uncachedRead() map[string]bool {
	if m := db.uncached.Load(); m != nil {
		return *m
	}
	return nil
}

// uncachedTables returns the tables of the schema no cache reads, read
// once (again after a migration); nil when they cannot be read.
func (db *DB) uncachedTables(ctx context.Context) map[string]bool {
	if m := db.uncachedRead(); m != nil {
		return m
	}
	q := `SELECT name FROM sqlite_schema WHERE type = 'table'`
	if db.dialect == Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := db.sql.QueryContext(ctx, q)
	if err != nil {
		return nil
	}
	m := map[string]bool{}
	if _, err := collect(rows, func(s scanner) (struct{}, error) {
		var name string
		err := s.Scan(&name)
		if name = strings.ToLower(name); !cachedTables[name] {
			m[name] = true
		}
		return struct{}{}, err
	}); err != nil {
		return nil
	}
	db.uncached.Store(&m)
	return m
}
