package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"

	"modernc.org/sqlite"
)

// On SQLite every query text is parsed again unless it is prepared, and
// the parse costs more than an access check's lookups, or than the job
// queue's insert that shares a change's transaction. So each SQLite
// connection keeps the statements it ran, prepared, by their text: every
// query on the connection (the store's, the job queue's) finds its
// statement there. PostgreSQL needs none of this: pgx caches its
// prepared statements itself.

// maxConnStmts bounds one connection's statements: queries built with a
// varying number of placeholders (IN lists) would otherwise grow it
// without end. Past the bound a statement not in use is dropped.
const maxConnStmts = 256

// stmtConnector opens SQLite connections that keep their statements.
type stmtConnector struct{ driver.Connector }

// newStmtConnector is the SQLite driver's connector for dsn, its
// connections keeping their statements.
func newStmtConnector(dsn string) (driver.Connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return stmtConnector{c}, nil
}

// sqliteConn is what the SQLite driver's connection offers and database/sql
// asks of it.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// Connect opens a connection with an empty statement cache.
func (c stmtConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite connection %T lacks what the statement cache needs", conn)
	}
	return &stmtConn{sqliteConn: inner, stmts: map[string]*connStmt{}}, nil
}

// stmtConn is a SQLite connection that runs queries through statements it
// keeps. database/sql uses a connection from one goroutine at a time,
// closing of rows included, so it needs no lock.
type stmtConn struct {
	sqliteConn
	stmts map[string]*connStmt
}

// connStmt is a kept statement; busy while rows read from it are open.
type connStmt struct {
	s    stmt
	busy bool
}

// stmt is what the SQLite driver's statements offer.
type stmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// take returns the kept statement of query, prepared now if it is new,
// or nil when it is in use by open rows (the caller then runs the text as
// it is). A statement that cannot be prepared returns the error: running
// the text would only prepare it again.
func (c *stmtConn) take(ctx context.Context, query string) (*connStmt, error) {
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil, nil
		}
		return cs, nil
	}
	ps, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s, ok := ps.(stmt)
	if !ok {
		ps.Close()
		return nil, fmt.Errorf("sqlite statement %T lacks what the statement cache needs", ps)
	}
	if len(c.stmts) >= maxConnStmts {
		c.dropOne()
	}
	cs := &connStmt{s: s}
	c.stmts[query] = cs
	return cs, nil
}

// dropOne closes a kept statement that is not in use (any one: map order
// is random, so no text stays out for long).
func (c *stmtConn) dropOne() {
	for q, cs := range c.stmts {
		if !cs.busy {
			cs.s.Close()
			delete(c.stmts, q)
			return
		}
	}
}

// ExecContext runs query through its kept statement.
func (c *stmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.take(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case cs == nil:
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return cs.s.ExecContext(ctx, args)
}

// QueryContext runs query through its kept statement, which stays in use
// until the rows are closed.
func (c *stmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.take(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case cs == nil:
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	r, err := cs.s.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	typed, ok := r.(sqliteRows)
	if !ok { // not run again: the statement may have written (RETURNING)
		r.Close()
		return nil, fmt.Errorf("sqlite rows %T lack what the statement cache needs", r)
	}
	cs.busy = true
	return &stmtRows{sqliteRows: typed, cs: cs}, nil
}

// Close closes the kept statements, then the connection.
func (c *stmtConn) Close() error {
	for q, cs := range c.stmts {
		cs.s.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// sqliteRows is what the SQLite driver's rows offer (column types
// included, for sql.Rows.ColumnTypes).
type sqliteRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	ColumnTypeScanType(index int) reflect.Type
}

// stmtRows are rows read from a kept statement, which they free on Close.
type stmtRows struct {
	sqliteRows
	cs *connStmt
}

// Close closes the rows and frees their statement for the next query.
func (r *stmtRows) Close() error {
	err := r.sqliteRows.Close()
	r.cs.busy = false
	return err
}
