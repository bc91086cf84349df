package store

import "context"

// Bound is a DB seen through T: the interface a caller declares for the
// part of a transaction it uses, so that it need not import this package.
type Bound[T any] struct {
	db *DB
	as func(*Tx) T
}

// Bind returns db for callers that know a transaction only as T; as is
// the conversion of a *Tx to T, which the compiler checks where it is
// written.
func Bind[T any](db *DB, as func(*Tx) T) Bound[T] { return Bound[T]{db: db, as: as} }

// Read is DB.Read with the transaction seen as T.
func (b Bound[T]) Read(ctx context.Context, fn func(T) error) error {
	return b.db.Read(ctx, func(tx *Tx) error { return fn(b.as(tx)) })
}

// Write is DB.Write with the transaction seen as T.
func (b Bound[T]) Write(ctx context.Context, fn func(T) error) error {
	return b.db.Write(ctx, func(tx *Tx) error { return fn(b.as(tx)) })
}

// Version is DB.Version.
func (b Bound[T]) Version() (uint64, bool) { return b.db.Version() }

// OnAssignments is DB.OnAssignments.
func (b Bound[T]) OnAssignments(forget func(users []string)) { b.db.OnAssignments(forget) }
