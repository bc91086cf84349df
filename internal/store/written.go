package store

import (
	"context"
	"database/sql"
	"strings"
)

// cachedTables are the tables read by the reads a cache of rows may keep
// (app/reads.go: User, Org, Company, SiteWithCustomer, Assignment,
// AccessFacts, UserByTokenHash, and the tenancy predicates of scope.go
// they add). A write to any other table changes nothing such a cache
// holds. A read added to the cache that reads another table must add it
// here. (The triggers on site_assignments write sites.assigned and
// sites.member_changes, which none of those reads.)
var cachedTables = map[string]bool{
	"users": true, "orgs": true, "companies": true, "sites": true, "api_tokens": true,
	"site_assignments": true, "company_assignments": true,
}

// assignmentTables are the cached tables whose rows belong to one user's
// access to one site: a method that names the users whose rows it writes
// (Tx.writingAssignmentsOf) changes only what the cache keeps of them.
var assignmentTables = map[string]bool{"site_assignments": true, "company_assignments": true}

// written is what a write transaction changed, as far as a cache of rows
// cares: nothing, the assignments of some users, or anything at all.
// Every statement a transaction runs is noted, so that nothing escapes by
// being forgotten: a write this cannot place counts as anything.
type written struct {
	all       bool
	assignees map[string]bool
	// naming is set while a method writes assignments and names the users
	// whose rows it changed itself (Tx.writingAssignments); outside one, a
	// write to an assignment table counts as anything.
	naming bool
}

// note accounts for one statement about to run.
func (w *written) note(query string) {
	if w.all {
		return
	}
	table, write := writeTarget(query)
	switch {
	case !write:
	case table == "":
		w.all = true
	case !cachedTables[table]:
	case assignmentTables[table] && w.naming:
	default:
		w.all = true
	}
}

func (w *written) empty() bool { return !w.all && len(w.assignees) == 0 }

// writeTarget tells whether query writes and, when it is a plain INSERT,
// UPDATE or DELETE, the table it writes ("" when it cannot tell). It
// allocates nothing for a read: every statement of every read passes here.
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
	first := word()
	is := func(w, keyword string) bool { return strings.EqualFold(w, keyword) }
	switch {
	case first == "" || is(first, "select") || is(first, "pragma") || is(first, "explain"):
		return "", false
	case is(first, "insert") && is(word(), "into"), is(first, "update"), is(first, "delete") && is(word(), "from"):
		return strings.ToLower(strings.Trim(word(), `"`)), true
	}
	return "", true
}

// writingAssignments tells tx that, until the returned function is
// called, the statements it runs write only site and company assignments
// (and tables no cache keeps), and that the method running them names
// every user whose assignments they changed (changedAssignmentsOf), so
// that a cache forgets only what it knew of those.
func (tx *Tx) writingAssignments() (done func()) {
	tx.written.naming = true
	return func() { tx.written.naming = false }
}

// writingAssignmentsOf is writingAssignments for a method that writes the
// assignments of one user, named at once.
func (tx *Tx) writingAssignmentsOf(userID string) (done func()) {
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

// noted is a querier that notes every statement in w before running it.
type noted struct {
	querier
	w *written
}

func (q noted) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q.w.note(query)
	return q.querier.ExecContext(ctx, query, args...)
}

func (q noted) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q.w.note(query)
	return q.querier.QueryContext(ctx, query, args...)
}

func (q noted) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	q.w.note(query)
	return q.querier.QueryRowContext(ctx, query, args...)
}
