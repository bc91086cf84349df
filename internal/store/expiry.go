package store

import "fmt"

// The expiry rules are stated in domain; these are their SQL forms, each
// written once, for queries that must filter in the database (the sweep,
// the dashboards, the lists). Times are stored as microseconds (see ts), so
// the comparisons agree with the domain's to the microsecond; expiry_test.go
// checks that at the boundary on every database.

// grantExpiredSQL is domain.GrantExpired in SQL: the access whose end is in
// the column col has ended by the time bound to placeholder $arg. It ends at
// its expiry exactly; NULL (no expiry) never ends.
func grantExpiredSQL(col string, arg int) string {
	return fmt.Sprintf("(%[1]s IS NOT NULL AND %[1]s <= $%[2]d)", col, arg)
}

// grantCurrentSQL is domain.Assignment.Current in SQL: the access has not
// ended (grantExpiredSQL) by the time bound to placeholder $arg.
func grantCurrentSQL(col string, arg int) string {
	return "NOT " + grantExpiredSQL(col, arg)
}

// requestLapsedSQL is domain.AccessRequest.Lapsed in SQL, for the
// access_requests table under alias: the request is pending and its answer
// time came by the time bound to placeholder $arg (R-PARTNER-4).
func requestLapsedSQL(alias string, arg int) string {
	return fmt.Sprintf("(%[1]s.state = 'pending' AND %[1]s.expires_at <= $%[2]d)", alias, arg)
}
